// One line of plain text per audit entry, for the timeline.
import type { AuditEntry } from '../api/types.js';

const text = (value: unknown): string => (typeof value === 'string' ? value : value === null || value === undefined ? '' : JSON.stringify(value));

const EXCERPT_CHARS = 80;
const excerpt = (content: string) => `“${content.length > EXCERPT_CHARS ? `${content.slice(0, EXCERPT_CHARS - 1)}…` : content}”`;

/** What the timeline knows from the audit itself: user names (of actors) and message texts (of posts). */
export interface AuditLookups {
  names: ReadonlyMap<string, string>;
  messages: ReadonlyMap<string, { content: string; authorId: string | null }>;
}

export function auditLookups(entries: readonly AuditEntry[]): AuditLookups {
  const names = new Map<string, string>();
  const messages = new Map<string, { content: string; authorId: string | null }>();
  for (const { type, data, metadata } of entries) {
    if (metadata.actorId && metadata.actor_username) names.set(metadata.actorId, metadata.actor_username);
    if (type === 'MessagePosted') messages.set(text(data.messageId), { content: text(data.content), authorId: text(data.authorId) || null });
  }
  return { names, messages };
}

export function describeAuditEntry(entry: AuditEntry, { names, messages }: AuditLookups): string {
  const { data } = entry;
  const who = (id: unknown) => names.get(text(id)) ?? text(id);
  const reason = data.reason ? ` (reason: ${text(data.reason)})` : '';
  const message = () => {
    const known = messages.get(text(data.messageId));
    if (!known) return `message ${text(data.messageId)}`;
    return `${known.authorId ? `${who(known.authorId)}’s ` : ''}message ${excerpt(known.content)}`;
  };
  switch (entry.type) {
    case 'ThreadCreated':
      return `created the ${text(data.visibility)} thread “${text(data.title)}”`;
    case 'MemberJoined':
      return data.invitedBy ? `invited ${who(data.userId)} as ${text(data.role)}` : `${who(data.userId)} joined as ${text(data.role)}`;
    case 'MemberLeft':
      return `${who(data.userId)} left`;
    case 'MemberRemoved':
      return `removed ${who(data.userId)}${reason}`;
    case 'MemberRoleChanged':
      return `made ${who(data.userId)} ${text(data.role)}`;
    case 'MessagePosted':
      return `posted: “${text(data.content)}”${entry.content_redacted ? ' (removed since)' : ''}`;
    case 'MessageEdited':
      return `edited a message: “${text(data.content)}”`;
    case 'MessageRedacted':
      return `removed ${message()}${reason}`;
    case 'MessageReported':
      return `reported ${message()}${reason}`;
    case 'ReportReviewed':
      return `${data.status === 'dismissed' ? 'dismissed' : 'reviewed'} a report on ${message()}${data.note ? ` (note: ${text(data.note)})` : ''}`;
    default:
      return `${entry.type} ${JSON.stringify(data)}`;
  }
}
