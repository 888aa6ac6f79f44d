import { newId } from '../ids.js';
import { threadDecider, threadStream, type ThreadCommand, type ThreadRole, type Visibility } from '../domain/thread.js';
import { handleCommand, type CommandContext, type CommandDeps } from './handleCommand.js';

/** Thread membership commands: one small handler each over the thread decider. */
const run = (deps: CommandDeps, threadId: string, command: ThreadCommand, context: CommandContext) =>
  handleCommand(deps, threadStream(threadId), threadDecider, command, context);

export async function createThread(
  deps: CommandDeps,
  input: { title: string; visibility: Visibility },
  context: CommandContext & { actorId: string },
) {
  const threadId = newId();
  const data = { threadId, title: input.title, visibility: input.visibility, createdBy: context.actorId };
  return run(deps, threadId, { type: 'CreateThread', data }, context);
}

export const joinThread = (deps: CommandDeps, threadId: string, context: CommandContext & { actorId: string }) =>
  run(deps, threadId, { type: 'JoinThread', data: { threadId, userId: context.actorId } }, context);

export const leaveThread = (deps: CommandDeps, threadId: string, context: CommandContext & { actorId: string }) =>
  run(deps, threadId, { type: 'LeaveThread', data: { threadId, userId: context.actorId } }, context);

export const inviteMember = (deps: CommandDeps, threadId: string, userId: string, context: CommandContext & { actorId: string }) =>
  run(deps, threadId, { type: 'InviteMember', data: { threadId, userId, by: context.actorId } }, context);

export const removeMember = (
  deps: CommandDeps,
  threadId: string,
  userId: string,
  reason: string | null,
  context: CommandContext & { actorId: string },
) => run(deps, threadId, { type: 'RemoveMember', data: { threadId, userId, by: context.actorId, reason } }, context);

export const changeMemberRole = (
  deps: CommandDeps,
  threadId: string,
  userId: string,
  role: ThreadRole,
  context: CommandContext & { actorId: string },
) => run(deps, threadId, { type: 'ChangeMemberRole', data: { threadId, userId, role, by: context.actorId } }, context);
