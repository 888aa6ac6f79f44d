import { newId } from '../ids.js';
import { DomainError } from '../domain/decider.js';
import { reportDecider, reportsStream, type ReportCommand, type ReportEvent, type ReportState } from '../domain/report.js';
import { threadDecider, threadStream, type ThreadEvent, type ThreadState } from '../domain/thread.js';
import type { GlobalRole } from '../domain/user.js';
import type { EventStore, RecordedEvent } from '../eventstore/eventStore.js';
import { handleCommand, type CommandContext, type CommandDeps, type CommandResult } from './handleCommand.js';

export const isGlobalModerator = (role: GlobalRole) => role === 'moderator' || role === 'admin';

/** Whether `userId` moderates the thread: its owner or moderator, or a global moderator/admin. */
export function moderatesThread(thread: ThreadState, userId: string, globalRole: GlobalRole): boolean {
  if (isGlobalModerator(globalRole)) return true;
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
  const reportId = newId();
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

/** The MessageReported event of `reportId`: what a review (and a redaction it orders) is caused by. */
async function reportedEvent(store: EventStore, messageId: string, reportId: string): Promise<RecordedEvent | null> {
  const events = await store.readStream(reportsStream(messageId));
  return events.find((e) => e.type === 'MessageReported' && (e.data as { reportId: string }).reportId === reportId) ?? null;
}

export interface ReviewOutcome {
  review: CommandResult<ReportState, ReportEvent>;
  /** The redaction the review ordered; null without `redact`, or when the message was already redacted. */
  redaction: CommandResult<ThreadState, ThreadEvent> | null;
}

/**
 * Reviews a report once; with `redact`, also redacts the reported message.
 * Both events are caused by the report's MessageReported event and share the request's correlation id.
 */
export async function reviewReport(
  deps: CommandDeps,
  input: { reportId: string; messageId: string; threadId: string; status: 'reviewed' | 'dismissed'; note: string | null; redact: boolean },
  context: CommandContext & { actorId: string; globalRole: GlobalRole },
): Promise<ReviewOutcome> {
  const { reportId, messageId, threadId, status, note } = input;
  const stream = reportsStream(messageId);
  const buildReview = async (): Promise<ReportCommand> => {
    const { state: thread } = await deps.aggregates.load(threadStream(threadId), threadDecider);
    return {
      type: 'ReviewReport',
      data: {
        reportId,
        messageId,
        status,
        moderatorId: context.actorId,
        note,
        moderatorMayModerate: moderatesThread(thread, context.actorId, context.globalRole),
      },
    };
  };
  const reported = await reportedEvent(deps.store, messageId, reportId);
  const causedByReport = { ...context, causationId: context.causationId ?? reported?.id ?? null };
  if (!input.redact) return { review: await handleCommand(deps, stream, reportDecider, buildReview, causedByReport), redaction: null };

  // Two streams and no transaction across them (neither store has one), so the order is chosen for retries:
  // 1. decide the review without appending, so a review that would be refused (404, 403, 409) redacts nothing;
  // 2. redact, treating "already redacted" as done;
  // 3. append the review.
  // A crash between 2 and 3 leaves the message redacted and the report pending, and the same PATCH retried
  // converges (the redaction is skipped, the review appended). Losing a race at 3 to another moderator's
  // review answers 409 and leaves this redaction standing, recorded under this moderator's name. The other
  // order could leave a reviewed report whose redaction never happened, with every retry answered 409.
  const { state } = await deps.aggregates.load(stream, reportDecider);
  reportDecider.decide(await buildReview(), state);
  let redaction: ReviewOutcome['redaction'] = null;
  try {
    const reason = note ?? (reported ? (reported.data as { reason: string }).reason : null);
    redaction = await redactMessage(deps, { threadId, messageId, reason }, causedByReport);
  } catch (error) {
    if (!(error instanceof DomainError && error.reason === 'already_redacted')) throw error;
  }
  return { review: await handleCommand(deps, stream, reportDecider, buildReview, causedByReport), redaction };
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
      data: { ...input, by: context.actorId, byGlobalModerator: isGlobalModerator(context.globalRole) },
    },
    context,
  );
}
