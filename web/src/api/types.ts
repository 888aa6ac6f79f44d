// REST shapes of the Threadline API (issues 3 and 6). Ids are opaque strings.

export type GlobalRole = 'member' | 'moderator' | 'admin';
export type ThreadRole = 'owner' | 'moderator' | 'member';
export type Visibility = 'public' | 'private';

export interface Me {
  id: string;
  username: string;
  email: string;
  role: GlobalRole;
}

export interface LoginResponse {
  access_token: string;
  token_type: string;
  expires_in: number;
}

export interface UserRef {
  id: string;
  username: string;
}

export interface ThreadSummary {
  id: string;
  title: string;
  visibility: Visibility;
  created_by: string;
  created_at: string;
  last_activity_at: string;
  member_count: number;
  is_member: boolean;
  /** The caller's role in the thread; null when not a member. */
  role: ThreadRole | null;
}

export interface ThreadMember {
  user: UserRef;
  role: ThreadRole;
  joined_at: string;
}

export interface ThreadDetail extends ThreadSummary {
  members: ThreadMember[];
}

export interface ChatMessage {
  id: string;
  thread: string;
  author: UserRef & { email?: string };
  content: string | null;
  created_at: string;
  seq: number;
  position?: number | string;
  redacted?: boolean;
  redacted_by?: string | null;
  redacted_at?: string | null;
}

export interface MessagePage {
  results: ChatMessage[];
  has_more: boolean;
}

export type ReportStatus = 'pending' | 'reviewed' | 'dismissed';

/** A report as the queue shows it (GET /api/chat/reports/). */
export interface Report {
  id: string;
  message: {
    id: string;
    thread: string;
    author: UserRef;
    /** null once the message is redacted. */
    content: string | null;
    created_at: string;
    redacted: boolean;
  };
  reason: string;
  status: ReportStatus;
  reporter: UserRef;
  created_at: string;
  /** The reviewing moderator's user id, once reviewed or dismissed. */
  reviewed_by?: string;
  reviewed_at?: string;
  note?: string | null;
  report_count_for_message: number;
}

export interface ReportPage {
  results: Report[];
  next_cursor: string | null;
}

export interface AuditEntry {
  /** The event id; unique across the thread's and its reports' streams. */
  id: string;
  /** `thread-{id}` for the thread's own events, `reports-{messageId}` for report events merged in. */
  stream: string;
  /** Revision in `stream`: for thread events, the seq clients see on messages. */
  seq: number;
  position: number;
  type: string;
  data: Record<string, unknown>;
  metadata: {
    actorId: string | null;
    actor_username: string | null;
    correlationId: string;
    causationId: string | null;
    occurredAt: string;
  };
  /** A MessagePosted whose message was redacted since (members no longer see its text). */
  content_redacted?: boolean;
}

export interface AuditPage {
  results: AuditEntry[];
  /** Pass back as from_seq for the next page; null on the last one. */
  next_from_seq: number | null;
  notice?: string;
}

/** The thread as it stood after the event at a past seq or time (GET /api/moderation/threads/{id}/state/). */
export interface ThreadStateAt {
  thread: string;
  as_of: { seq: number; position: number; occurred_at: string };
  title: string;
  visibility: Visibility;
  member_count: number;
  members: ThreadMember[];
  /** In history's shape: a message redacted by then has `content: null`, as members saw it. */
  messages: ChatMessage[];
  has_more_messages: boolean;
}
