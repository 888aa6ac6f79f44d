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
  last_activity_at?: string;
  member_count: number;
  is_member?: boolean;
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

export interface Report {
  id: string;
  message: {
    id: string;
    thread: string;
    author: UserRef | null;
    /** null: redacted; undefined: not sent by this server version. */
    content?: string | null;
    created_at?: string;
    redacted?: boolean;
  };
  reason: string;
  status: ReportStatus;
  reporter: UserRef;
  created_at: string;
  reviewed_by?: string | UserRef | null;
  reviewed_at?: string | null;
  note?: string | null;
  report_count_for_message?: number;
}

export interface ReportPage {
  results: Report[];
  next_cursor: string | null;
}

/** A report as issue 3 first shipped it: ids instead of nested objects. */
export type FlatReport = Omit<Report, 'message' | 'reporter'> & { message: string; thread?: string; reporter: string };

export interface AuditEntry {
  seq: number;
  position?: number | string;
  type: string;
  data: Record<string, unknown>;
  metadata: {
    actorId?: string | null;
    actor_username?: string | null;
    correlationId?: string;
    causationId?: string;
    occurredAt: string;
  };
}

export interface AuditPage {
  results: AuditEntry[];
  next_from_seq?: number | null;
  has_more?: boolean;
}

/** The thread as it stood at a past seq or time (GET /api/moderation/threads/{id}/state/). */
export interface ThreadStateAt {
  seq?: number;
  at?: string;
  title: string;
  visibility?: Visibility;
  members: Array<{ user?: UserRef; user_id?: string; username?: string; role: ThreadRole }>;
  messages: Array<{
    id: string;
    seq: number;
    author?: UserRef | null;
    author_id?: string;
    content: string | null;
    original_content?: string | null;
    created_at?: string;
    redacted?: boolean;
  }>;
}
