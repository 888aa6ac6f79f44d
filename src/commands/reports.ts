import { randomUUID } from 'node:crypto';
import { reportDecider, reportsStream } from '../domain/report.js';
import { threadDecider, threadStream, type ThreadState } from '../domain/thread.js';
import type { GlobalRole } from '../domain/user.js';
import { handleCommand, type CommandContext, type CommandDeps } from './handleCommand.js';

const globalModerator = (role: GlobalRole) => role === 'moderator' || role === 'admin';

/** Whether `userId` moderates the thread: its owner or moderator, or a global moderator/admin. */
export function moderatesThread(thread: ThreadState, userId: string, globalRole: GlobalRole): boolean {
  if (globalModerator(globalRole)) return true;
  if (thread.status !== 'active') return false;
  const role = thread.members.get(userId);
  return role === 'owner' || role === 'moderator';
}

/** `threadId` locates the message's stream; the facts themselves come from the thread's write model. */
export async function reportMessage(
  deps: CommandDeps,
  input: { messageId: string; threadId: string; reason: string },
  context: CommandContext & { actorId: string },
) {
  const reportId = randomUUID();
  return handleCommand(
    deps,
    reportsStream(input.messageId),
    reportDecider,
    async () => {
      const { state: thread } = await deps.aggregates.load(threadStream(input.threadId), threadDecider);
      const active = thread.status === 'active' ? thread : null;
      return {
        type: 'ReportMessage' as const,
        data: {
          reportId,
          messageId: input.messageId,
          threadId: input.threadId,
          reporterId: context.actorId,
          reason: input.reason,
          reporterIsMember: active?.members.has(context.actorId) ?? false,
          messageExists: active?.messages.has(input.messageId) ?? false,
        },
      };
    },
    context,
  );
}

export async function reviewReport(
  deps: CommandDeps,
  input: { reportId: string; messageId: string; threadId: string; status: 'reviewed' | 'dismissed'; note: string | null },
  context: CommandContext & { actorId: string; globalRole: GlobalRole },
) {
  return handleCommand(
    deps,
    reportsStream(input.messageId),
    reportDecider,
    async () => {
      const { state: thread } = await deps.aggregates.load(threadStream(input.threadId), threadDecider);
      const { reportId, messageId, status, note } = input;
      return {
        type: 'ReviewReport' as const,
        data: {
          reportId,
          messageId,
          status,
          moderatorId: context.actorId,
          note,
          moderatorMayModerate: moderatesThread(thread, context.actorId, context.globalRole),
        },
      };
    },
    context,
  );
}

export async function redactMessage(
  deps: CommandDeps,
  input: { threadId: string; messageId: string; reason: string | null },
  context: CommandContext & { actorId: string; globalRole: GlobalRole },
) {
  return handleCommand(
    deps,
    threadStream(input.threadId),
    threadDecider,
    {
      type: 'RedactMessage',
      data: { ...input, by: context.actorId, byGlobalModerator: globalModerator(context.globalRole) },
    },
    context,
  );
}
