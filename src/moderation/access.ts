import type { CommandDeps } from '../commands/handleCommand.js';
import { isGlobalModerator, moderatesThread } from '../commands/reports.js';
import { forbidden, notFound } from '../domain/decider.js';
import { threadDecider, threadStream, type ActiveThread } from '../domain/thread.js';
import type { GlobalRole } from '../domain/user.js';

interface Caller {
  userId: string;
  role: GlobalRole;
}

/**
 * The thread's write model, when `caller` moderates it (owner or moderator of
 * the thread, or a global moderator/admin). Checked against the log, not a
 * read model, so a role granted a moment ago already counts. A private thread
 * does not exist for outsiders (404); anyone else who does not moderate gets 403.
 */
export async function requireThreadModerator(deps: CommandDeps, threadId: string, caller: Caller): Promise<ActiveThread> {
  const { state } = await deps.aggregates.load(threadStream(threadId), threadDecider);
  const hidden = state.status === 'active' && state.visibility === 'private' && !state.members.has(caller.userId);
  if (state.status !== 'active' || (hidden && !isGlobalModerator(caller.role))) throw notFound('thread_not_found', 'no such thread');
  if (!moderatesThread(state, caller.userId, caller.role)) {
    throw forbidden('not_a_moderator', 'only the thread’s owners and moderators, and global moderators, may do this');
  }
  return state;
}

/** Views across every thread (a user's activity) are for global moderators and admins. */
export function requireGlobalModerator(caller: Caller): void {
  if (!isGlobalModerator(caller.role)) throw forbidden('not_a_moderator', 'only global moderators and admins may do this');
}
