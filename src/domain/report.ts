import { codePointLength, conflict, forbidden, invalid, notFound, type Decider } from './decider.js';

export type ReportStatus = 'pending' | 'reviewed' | 'dismissed';

/** Stream `reports-{messageId}`: every report on one message, so "once per reporter" is a stream invariant. */
export type ReportEvent =
  | {
      type: 'MessageReported';
      data: { reportId: string; messageId: string; threadId: string; reporterId: string; reason: string };
    }
  | {
      type: 'ReportReviewed';
      data: { reportId: string; messageId: string; status: 'reviewed' | 'dismissed'; moderatorId: string; note: string | null };
    };

/**
 * Facts about the message and the actor come from the thread's write model,
 * read by the command handler: the report stream cannot know them.
 */
export type ReportCommand =
  | {
      type: 'ReportMessage';
      data: {
        reportId: string;
        messageId: string;
        threadId: string;
        reporterId: string;
        reason: string;
        reporterIsMember: boolean;
        messageExists: boolean;
      };
    }
  | {
      type: 'ReviewReport';
      data: {
        reportId: string;
        messageId: string;
        status: 'reviewed' | 'dismissed';
        moderatorId: string;
        note: string | null;
        moderatorMayModerate: boolean;
      };
    };

export interface ReportState {
  reports: ReadonlyMap<string, { reporterId: string; status: ReportStatus }>;
}

export const reportsStream = (messageId: string) => `reports-${messageId}`;
export const MAX_REASON = 1000;

function reportMessage({ data }: Extract<ReportCommand, { type: 'ReportMessage' }>, state: ReportState): ReportEvent[] {
  if (!data.messageExists) throw notFound('message_not_found', 'no such message');
  if (!data.reporterIsMember) throw forbidden('not_a_member', 'only members of the thread report its messages');
  const reason = data.reason.trim();
  const length = codePointLength(reason);
  if (length < 1 || length > MAX_REASON) throw invalid('invalid_reason', `reason must be 1 to ${MAX_REASON} characters`);
  for (const report of state.reports.values()) {
    if (report.reporterId === data.reporterId) throw conflict('already_reported', 'you already reported this message');
  }
  const { reportId, messageId, threadId, reporterId } = data;
  return [{ type: 'MessageReported', data: { reportId, messageId, threadId, reporterId, reason } }];
}

function reviewReport({ data }: Extract<ReportCommand, { type: 'ReviewReport' }>, state: ReportState): ReportEvent[] {
  const report = state.reports.get(data.reportId);
  if (!report) throw notFound('report_not_found', 'no such report');
  if (!data.moderatorMayModerate) throw forbidden('not_a_moderator', 'only moderators review reports');
  if (data.status !== 'reviewed' && data.status !== 'dismissed') throw invalid('invalid_status', 'status must be reviewed or dismissed');
  if (report.status !== 'pending') throw conflict('already_reviewed', 'report already reviewed');
  const { moderatorMayModerate: _, ...event } = data;
  return [{ type: 'ReportReviewed', data: event }];
}

export const reportDecider: Decider<ReportState, ReportCommand, ReportEvent> = {
  initialState: () => ({ reports: new Map() }),
  decide(command, state) {
    switch (command.type) {
      case 'ReportMessage':
        return reportMessage(command, state);
      case 'ReviewReport':
        return reviewReport(command, state);
      default: {
        const _exhaustive: never = command;
        return _exhaustive;
      }
    }
  },
  evolve(state, event) {
    const reports = new Map(state.reports);
    switch (event.type) {
      case 'MessageReported':
        reports.set(event.data.reportId, { reporterId: event.data.reporterId, status: 'pending' });
        return { reports };
      case 'ReportReviewed': {
        const report = reports.get(event.data.reportId);
        if (report) reports.set(event.data.reportId, { ...report, status: event.data.status });
        return { reports };
      }
      default:
        return state;
    }
  },
};
