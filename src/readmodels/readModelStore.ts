import type { GlobalRole } from '../domain/user.js';
import type { ThreadRole, Visibility } from '../domain/thread.js';
import type { ReportStatus } from '../domain/report.js';

/**
 * The read-model port. Adapters: SQLite (embedded default, `sqliteReadModels.ts`)
 * and MongoDB (`mongoReadModels.ts`); both run `tests/contracts/readModelContract.ts`.
 *
 * Writes are blind (they never read) and are buffered into one batch that the
 * adapter commits together with the projection's checkpoint, so a batch is
 * applied exactly once: an event at or below the checkpoint is never re-applied.
 */
export interface ReadModelWriter {
  putUser(user: { id: string; username: string; email: string; role: GlobalRole; createdAt: string }): void;
  setUserRole(userId: string, role: GlobalRole): void;
  putThread(thread: { id: string; title: string; visibility: Visibility; createdBy: string; createdAt: string }): void;
  /** Newest activity first in thread lists. */
  touchThread(threadId: string, at: string): void;
  putMember(member: { threadId: string; userId: string; role: ThreadRole; joinedAt: string }): void;
  setMemberRole(threadId: string, userId: string, role: ThreadRole): void;
  removeMember(threadId: string, userId: string): void;
  putMessage(message: {
    id: string;
    threadId: string;
    seq: number;
    position: number;
    authorId: string;
    content: string;
    clientMessageId: string | null;
    createdAt: string;
  }): void;
  redactMessage(messageId: string, by: string, at: string, reason: string | null): void;
  putReport(report: { id: string; messageId: string; threadId: string; reporterId: string; reason: string; createdAt: string }): void;
  reviewReport(reportId: string, review: { status: 'reviewed' | 'dismissed'; moderatorId: string; note: string | null; at: string }): void;
  /** Moderation index: `userId` took part in the event at `ref` (as its actor or its subject). Idempotent. */
  recordUserActivity(userId: string, ref: EventRef): void;
  /** Moderation index: an event of the `reports-{messageId}` stream, so a thread's audit can merge it in. Idempotent. */
  recordReportEvent(messageId: string, ref: EventRef): void;
}

/**
 * Where an event sits in the log. Moderation indexes hold these pointers, never
 * copies of the events: the audit reads the events themselves from the store.
 */
export interface EventRef {
  stream: string;
  revision: number;
  position: number;
}

export interface UserView {
  id: string;
  username: string;
  email: string;
  role: GlobalRole;
  createdAt: string;
}

export interface ThreadView {
  id: string;
  title: string;
  visibility: Visibility;
  createdBy: string;
  createdAt: string;
  lastActivityAt: string;
  memberCount: number;
}

export interface MemberView {
  userId: string;
  username: string;
  role: ThreadRole;
  joinedAt: string;
}

export interface MessageView {
  id: string;
  threadId: string;
  seq: number;
  position: number;
  author: { id: string; username: string; email: string };
  /** null once redacted: the original text never leaves the read model again. */
  content: string | null;
  createdAt: string;
  redacted: boolean;
  redactedBy: string | null;
  redactedAt: string | null;
}

export interface ReportView {
  id: string;
  messageId: string;
  threadId: string;
  reporterId: string;
  reason: string;
  status: ReportStatus;
  createdAt: string;
  reviewedBy: string | null;
  reviewedAt: string | null;
  note: string | null;
}

export interface ReportFilter {
  status?: ReportStatus;
  threadId?: string;
  reporterId?: string;
  limit: number;
  /** Opaque cursor returned by the previous page. */
  cursor?: string;
}

export interface ReadModelStore {
  /** Position of the last event the projection has applied (0 before the first), once the batches handed over have settled. */
  checkpoint(projection: string): Promise<number>;
  /**
   * Applies `write`'s operations and moves the checkpoint to `lastPosition`, atomically.
   * `write` runs before this returns. A projection's batches are applied in call
   * order, even when one is handed over before the previous has settled. Once a
   * batch has failed (in `write` or at commit), the projection's later batches
   * fail without being applied until its `checkpoint` is read again: a caller
   * resumes from there, so a failure never leaves a gap.
   */
  applyBatch(projection: string, lastPosition: number, write: (writer: ReadModelWriter) => void): Promise<void>;
  /** Empties every read model and the projection's checkpoint, for a rebuild. */
  truncate(projection: string): Promise<void>;

  getUser(userId: string): Promise<UserView | null>;
  getThread(threadId: string): Promise<ThreadView | null>;
  listMembers(threadId: string): Promise<MemberView[]>;
  getMemberRole(threadId: string, userId: string): Promise<ThreadRole | null>;
  /** Public threads and those the user belongs to, newest activity first. */
  listThreadsVisibleTo(userId: string, limit: number): Promise<ThreadView[]>;
  /** Oldest first; `beforeSeq` exclusive; the newest `limit` messages before it. */
  listMessages(threadId: string, options: { beforeSeq?: number; limit: number }): Promise<{ results: MessageView[]; hasMore: boolean }>;
  getMessage(messageId: string): Promise<MessageView | null>;
  getReport(reportId: string): Promise<ReportView | null>;
  listReports(filter: ReportFilter): Promise<{ results: ReportView[]; nextCursor: string | null }>;
  /** How many reports (of any status) each message has; messages without reports are absent. */
  countReportsByMessage(messageIds: readonly string[]): Promise<Record<string, number>>;
  /** Events the user took part in, newest first; `beforePosition` exclusive. */
  listUserActivity(userId: string, options: { beforePosition?: number; limit: number }): Promise<{ results: EventRef[]; hasMore: boolean }>;
  /**
   * Report-stream events about the thread's messages, oldest first, with
   * `afterPosition` < position <= `upToPosition` (no upper bound when omitted).
   */
  listThreadReportEvents(threadId: string, options: { afterPosition: number; upToPosition?: number; limit: number }): Promise<EventRef[]>;
  close(): Promise<void>;
}
