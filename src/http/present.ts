import type { MessageView, ThreadView } from '../readmodels/readModelStore.js';
import type { Message } from './schemas.js';

/** Read-model views to the wire's snake_case shapes (seed-compatible). */
export const presentMessage = (m: MessageView): Message => ({
  id: m.id,
  thread: m.threadId,
  author: m.author,
  content: m.content,
  created_at: m.createdAt,
  seq: m.seq,
  position: m.position,
  redacted: m.redacted,
  redacted_by: m.redactedBy,
  redacted_at: m.redactedAt,
});

export const presentThread = (t: ThreadView, role: string | null) => ({
  id: t.id,
  title: t.title,
  visibility: t.visibility,
  created_by: t.createdBy,
  created_at: t.createdAt,
  last_activity_at: t.lastActivityAt,
  member_count: t.memberCount,
  is_member: role !== null,
  role,
});
