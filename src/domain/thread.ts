import { codePointLength, conflict, forbidden, invalid, isUuid, notFound, type Decider } from './decider.js';

export type Visibility = 'public' | 'private';
export type ThreadRole = 'owner' | 'moderator' | 'member';
export const THREAD_ROLES: readonly ThreadRole[] = ['owner', 'moderator', 'member'];

export type ThreadEvent =
  | { type: 'ThreadCreated'; data: { threadId: string; title: string; visibility: Visibility; createdBy: string } }
  | { type: 'MemberJoined'; data: { threadId: string; userId: string; role: ThreadRole; invitedBy: string | null } }
  | { type: 'MemberLeft'; data: { threadId: string; userId: string } }
  | { type: 'MemberRemoved'; data: { threadId: string; userId: string; by: string; reason: string | null } }
  | { type: 'MemberRoleChanged'; data: { threadId: string; userId: string; role: ThreadRole; by: string } }
  | {
      type: 'MessagePosted';
      data: { threadId: string; messageId: string; authorId: string; content: string; clientMessageId: string | null };
    }
  | { type: 'MessageRedacted'; data: { threadId: string; messageId: string; by: string; reason: string | null } };

/**
 * `actorModerates` is decided by the caller from the actor's global role
 * (moderator/admin moderate every thread); the thread itself knows only its own roles.
 */
export type ThreadCommand =
  | { type: 'CreateThread'; data: { threadId: string; title: string; visibility: Visibility; createdBy: string } }
  | { type: 'JoinThread'; data: { threadId: string; userId: string } }
  | { type: 'LeaveThread'; data: { threadId: string; userId: string } }
  | { type: 'InviteMember'; data: { threadId: string; userId: string; by: string } }
  | { type: 'RemoveMember'; data: { threadId: string; userId: string; by: string; reason: string | null } }
  | { type: 'ChangeMemberRole'; data: { threadId: string; userId: string; role: ThreadRole; by: string } }
  | {
      type: 'PostMessage';
      data: { threadId: string; messageId: string; authorId: string; content: string; clientMessageId: string | null };
    }
  | {
      type: 'RedactMessage';
      data: { threadId: string; messageId: string; by: string; reason: string | null; byGlobalModerator: boolean };
    };

export interface MessageFacts {
  authorId: string;
  /** Revision of the MessagePosted event in the thread stream. */
  seq: number;
  redacted: boolean;
}

export type ThreadState =
  | { status: 'none' }
  | {
      status: 'active';
      threadId: string;
      title: string;
      visibility: Visibility;
      createdBy: string;
      members: ReadonlyMap<string, ThreadRole>;
      /**
       * Append-only indexes, shared between successive states instead of copied:
       * copying them on every event would make folding a long thread quadratic.
       * A state is never evolved twice, so sharing is not observable.
       */
      messages: Map<string, MessageFacts>;
      clientMessages: Map<string, string>;
      /** Revision of the last event folded into this state. */
      revision: number;
    };

export type ActiveThread = Extract<ThreadState, { status: 'active' }>;

export const threadStream = (threadId: string) => `thread-${threadId}`;
export const clientMessageKey = (authorId: string, clientMessageId: string) => `${authorId}:${clientMessageId.toLowerCase()}`;

export const MAX_TITLE = 200;
export const MAX_CONTENT = 4000;

function active(state: ThreadState): ActiveThread {
  if (state.status !== 'active') throw notFound('thread_not_found', 'no such thread');
  return state;
}

/** A private thread does not exist for those outside it. */
function visibleTo(state: ThreadState, userId: string): ActiveThread {
  const thread = active(state);
  if (thread.visibility === 'private' && !thread.members.has(userId)) throw notFound('thread_not_found', 'no such thread');
  return thread;
}

function requireMember(thread: ActiveThread, userId: string): ThreadRole {
  const role = thread.members.get(userId);
  if (!role) throw forbidden('not_a_member', 'you are not a member of this thread');
  return role;
}

const moderates = (role: ThreadRole | undefined) => role === 'owner' || role === 'moderator';
const ownerCount = (thread: ActiveThread) => [...thread.members.values()].filter((r) => r === 'owner').length;

function createThread({ data }: Extract<ThreadCommand, { type: 'CreateThread' }>, state: ThreadState): ThreadEvent[] {
  if (state.status !== 'none') throw conflict('thread_exists', 'thread already exists');
  const title = data.title.trim();
  const length = codePointLength(title);
  if (length < 1 || length > MAX_TITLE) throw invalid('invalid_title', `title must be 1 to ${MAX_TITLE} characters`);
  if (data.visibility !== 'public' && data.visibility !== 'private') {
    throw invalid('invalid_visibility', 'visibility must be public or private');
  }
  return [
    { type: 'ThreadCreated', data: { ...data, title } },
    { type: 'MemberJoined', data: { threadId: data.threadId, userId: data.createdBy, role: 'owner', invitedBy: null } },
  ];
}

function joinThread({ data }: Extract<ThreadCommand, { type: 'JoinThread' }>, state: ThreadState): ThreadEvent[] {
  const thread = visibleTo(state, data.userId);
  if (thread.members.has(data.userId)) return [];
  return [{ type: 'MemberJoined', data: { ...data, role: 'member', invitedBy: null } }];
}

function leaveThread({ data }: Extract<ThreadCommand, { type: 'LeaveThread' }>, state: ThreadState): ThreadEvent[] {
  const thread = visibleTo(state, data.userId);
  const role = requireMember(thread, data.userId);
  if (role === 'owner' && ownerCount(thread) === 1) {
    throw conflict('last_owner', 'the last owner cannot leave; make another member owner first');
  }
  return [{ type: 'MemberLeft', data }];
}

function inviteMember({ data }: Extract<ThreadCommand, { type: 'InviteMember' }>, state: ThreadState): ThreadEvent[] {
  const thread = visibleTo(state, data.by);
  if (!moderates(thread.members.get(data.by))) throw forbidden('not_a_thread_moderator', 'only owners and moderators invite');
  if (thread.members.has(data.userId)) return [];
  return [{ type: 'MemberJoined', data: { threadId: data.threadId, userId: data.userId, role: 'member', invitedBy: data.by } }];
}

function removeMember({ data }: Extract<ThreadCommand, { type: 'RemoveMember' }>, state: ThreadState): ThreadEvent[] {
  const thread = visibleTo(state, data.by);
  const actorRole = thread.members.get(data.by);
  if (!moderates(actorRole)) throw forbidden('not_a_thread_moderator', 'only owners and moderators remove members');
  const targetRole = thread.members.get(data.userId);
  if (!targetRole) throw notFound('member_not_found', 'that user is not a member of this thread');
  if (data.userId === data.by) throw conflict('remove_self', 'use leave to leave a thread');
  if (actorRole === 'moderator' && targetRole !== 'member') {
    throw forbidden('outranked', 'a moderator removes members only, not owners or moderators');
  }
  return [{ type: 'MemberRemoved', data }];
}

function changeMemberRole({ data }: Extract<ThreadCommand, { type: 'ChangeMemberRole' }>, state: ThreadState): ThreadEvent[] {
  const thread = visibleTo(state, data.by);
  if (thread.members.get(data.by) !== 'owner') throw forbidden('not_owner', 'only owners change roles');
  if (!THREAD_ROLES.includes(data.role)) throw invalid('invalid_role', 'role must be owner, moderator or member');
  const current = thread.members.get(data.userId);
  if (!current) throw notFound('member_not_found', 'that user is not a member of this thread');
  if (current === data.role) return [];
  if (current === 'owner' && ownerCount(thread) === 1) throw conflict('last_owner', 'the last owner cannot be demoted');
  return [{ type: 'MemberRoleChanged', data }];
}

function postMessage({ data }: Extract<ThreadCommand, { type: 'PostMessage' }>, state: ThreadState): ThreadEvent[] {
  const thread = visibleTo(state, data.authorId);
  requireMember(thread, data.authorId);
  if (data.clientMessageId !== null) {
    if (!isUuid(data.clientMessageId)) throw invalid('invalid_client_message_id', 'client_message_id must be a UUID');
    // A retried post: the original stands, nothing new is appended.
    if (thread.clientMessages.has(clientMessageKey(data.authorId, data.clientMessageId))) return [];
  }
  const content = data.content.trim();
  const length = codePointLength(content);
  if (length < 1 || length > MAX_CONTENT) throw invalid('invalid_content', `content must be 1 to ${MAX_CONTENT} characters`);
  return [{ type: 'MessagePosted', data: { ...data, content } }];
}

function redactMessage({ data }: Extract<ThreadCommand, { type: 'RedactMessage' }>, state: ThreadState): ThreadEvent[] {
  const thread = data.byGlobalModerator ? active(state) : visibleTo(state, data.by);
  const message = thread.messages.get(data.messageId);
  if (!message) throw notFound('message_not_found', 'no such message');
  const allowed = data.byGlobalModerator || message.authorId === data.by || moderates(thread.members.get(data.by));
  if (!allowed) throw forbidden('not_allowed', 'only the author or a moderator redacts a message');
  if (message.redacted) throw conflict('already_redacted', 'message already redacted');
  const { byGlobalModerator: _, ...event } = data;
  return [{ type: 'MessageRedacted', data: event }];
}

function decide(command: ThreadCommand, state: ThreadState): ThreadEvent[] {
  switch (command.type) {
    case 'CreateThread':
      return createThread(command, state);
    case 'JoinThread':
      return joinThread(command, state);
    case 'LeaveThread':
      return leaveThread(command, state);
    case 'InviteMember':
      return inviteMember(command, state);
    case 'RemoveMember':
      return removeMember(command, state);
    case 'ChangeMemberRole':
      return changeMemberRole(command, state);
    case 'PostMessage':
      return postMessage(command, state);
    case 'RedactMessage':
      return redactMessage(command, state);
    default: {
      const _exhaustive: never = command;
      return _exhaustive;
    }
  }
}

function withMembers(state: ActiveThread, change: (members: Map<string, ThreadRole>) => void): ActiveThread {
  const members = new Map(state.members);
  change(members);
  return { ...state, members, revision: state.revision + 1 };
}

function evolve(state: ThreadState, event: ThreadEvent): ThreadState {
  if (event.type === 'ThreadCreated') {
    const { threadId, title, visibility, createdBy } = event.data;
    return {
      status: 'active',
      threadId,
      title,
      visibility,
      createdBy,
      members: new Map(),
      messages: new Map(),
      clientMessages: new Map(),
      revision: 0,
    };
  }
  if (state.status !== 'active') return state;
  switch (event.type) {
    case 'MemberJoined':
    case 'MemberRoleChanged':
      return withMembers(state, (m) => m.set(event.data.userId, event.data.role));
    case 'MemberLeft':
    case 'MemberRemoved':
      return withMembers(state, (m) => m.delete(event.data.userId));
    case 'MessagePosted': {
      const revision = state.revision + 1;
      const { messageId, authorId, clientMessageId } = event.data;
      state.messages.set(messageId, { authorId, seq: revision, redacted: false });
      if (clientMessageId) state.clientMessages.set(clientMessageKey(authorId, clientMessageId), messageId);
      return { ...state, revision };
    }
    case 'MessageRedacted': {
      const message = state.messages.get(event.data.messageId);
      if (message) state.messages.set(event.data.messageId, { ...message, redacted: true });
      return { ...state, revision: state.revision + 1 };
    }
    default:
      return { ...state, revision: state.revision + 1 };
  }
}

export const threadDecider: Decider<ThreadState, ThreadCommand, ThreadEvent> = {
  initialState: () => ({ status: 'none' }),
  decide,
  evolve,
};
