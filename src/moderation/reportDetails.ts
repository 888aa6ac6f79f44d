import type { ReadModelStore, ReportView } from '../readmodels/readModelStore.js';

/** A report as the moderation queue shows it (and, to its reporter, `?mine=1`). */
export interface ReportDetail {
  id: string;
  message: {
    id: string;
    thread: string;
    author: { id: string; username: string };
    /** null once redacted, like everywhere members look. */
    content: string | null;
    created_at: string;
    redacted: boolean;
  };
  reason: string;
  status: ReportView['status'];
  reporter: { id: string; username: string };
  created_at: string;
  reviewed_by?: string;
  reviewed_at?: string;
  note?: string | null;
  report_count_for_message: number;
}

/** Joins reports with their message, reporter and per-message report count, one lookup per distinct id. */
export async function reportDetails(readModels: ReadModelStore, reports: readonly ReportView[]): Promise<ReportDetail[]> {
  const messageIds = [...new Set(reports.map((r) => r.messageId))];
  const reporterIds = [...new Set(reports.map((r) => r.reporterId))];
  const [messages, reporters, counts] = await Promise.all([
    Promise.all(messageIds.map((id) => readModels.getMessage(id))),
    Promise.all(reporterIds.map((id) => readModels.getUser(id))),
    readModels.countReportsByMessage(messageIds),
  ]);
  const messageOf = new Map(messages.flatMap((m) => (m ? [[m.id, m] as const] : [])));
  const usernameOf = new Map(reporters.flatMap((u) => (u ? [[u.id, u.username] as const] : [])));
  return reports.map((r) => {
    const message = messageOf.get(r.messageId);
    const detail: ReportDetail = {
      id: r.id,
      message: {
        id: r.messageId,
        thread: r.threadId,
        author: { id: message?.author.id ?? '', username: message?.author.username ?? '' },
        content: message?.content ?? null,
        created_at: message?.createdAt ?? '',
        redacted: message?.redacted ?? false,
      },
      reason: r.reason,
      status: r.status,
      reporter: { id: r.reporterId, username: usernameOf.get(r.reporterId) ?? '' },
      created_at: r.createdAt,
      report_count_for_message: counts[r.messageId] ?? 0,
    };
    if (r.status !== 'pending') {
      detail.reviewed_by = r.reviewedBy ?? '';
      detail.reviewed_at = r.reviewedAt ?? '';
      detail.note = r.note;
    }
    return detail;
  });
}
