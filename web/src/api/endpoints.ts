// One typed function per REST route the client uses (issues 3 and 6).
import { request, withQuery } from './http.js';
import type {
  AuditPage,
  FlatReport,
  ChatMessage,
  LoginResponse,
  Me,
  MessagePage,
  Report,
  ReportPage,
  ReportStatus,
  ThreadDetail,
  ThreadStateAt,
  ThreadSummary,
  Visibility,
} from './types.js';

const id = encodeURIComponent;

export const register = (body: { username: string; email: string; password: string }) =>
  request<{ id: string; username: string; email: string }>('POST', '/api/auth/register', body);
export const login = (body: { username: string; password: string }) => request<LoginResponse>('POST', '/api/auth/login', body);
export const fetchMe = (signal?: AbortSignal) => request<Me>('GET', '/api/auth/me', undefined, signal);

export async function listThreads(signal?: AbortSignal): Promise<ThreadSummary[]> {
  // A bare list per issue 3; a paged `{results}` body is accepted too.
  const body = await request<ThreadSummary[] | { results: ThreadSummary[] }>('GET', '/api/chat/threads/', undefined, signal);
  return Array.isArray(body) ? body : body.results;
}
export const createThread = (body: { title: string; visibility: Visibility }) => request<ThreadSummary>('POST', '/api/chat/threads/', body);
export const fetchThread = (threadId: string, signal?: AbortSignal) =>
  request<ThreadDetail>('GET', `/api/chat/threads/${id(threadId)}/`, undefined, signal);
export const joinThread = (threadId: string) => request<unknown>('POST', `/api/chat/threads/${id(threadId)}/join/`, {});
export const leaveThread = (threadId: string) => request<unknown>('POST', `/api/chat/threads/${id(threadId)}/leave/`, {});
export const inviteToThread = (threadId: string, user: string) =>
  request<unknown>('POST', `/api/chat/threads/${id(threadId)}/invite/`, { user });

export const fetchMessages = (threadId: string, beforeSeq: number | null, limit = 50, signal?: AbortSignal) =>
  request<MessagePage>('GET', withQuery('/api/chat/messages/', { thread: threadId, before_seq: beforeSeq, limit }), undefined, signal);
export const postMessage = (body: { thread: string; content: string; client_message_id: string }) =>
  request<ChatMessage>('POST', '/api/chat/messages/', body);
export const redactMessage = (messageId: string, reason: string) =>
  request<unknown>('POST', `/api/chat/messages/${id(messageId)}/redact/`, { reason });

export const reportMessage = (messageId: string, reason: string) =>
  request<{ id: string; status: ReportStatus }>('POST', '/api/chat/reports/', { message: messageId, reason });
/** Accepts both report shapes: nested (issue 6) and flat ids (issue 3). */
export function normalizeReport(report: Report | FlatReport): Report {
  if (typeof report.message !== 'string' && typeof report.reporter !== 'string') return report as Report;
  const flat = report as FlatReport;
  return {
    ...flat,
    message: typeof report.message === 'string' ? { id: report.message, thread: flat.thread ?? '', author: null } : report.message,
    reporter: typeof report.reporter === 'string' ? { id: report.reporter, username: report.reporter } : report.reporter,
  };
}

export async function listReports(status: ReportStatus, cursor: string | null, signal?: AbortSignal): Promise<ReportPage> {
  const page = await request<{ results: Array<Report | FlatReport>; next_cursor: string | null }>(
    'GET',
    withQuery('/api/chat/reports/', { status, cursor, limit: 50 }),
    undefined,
    signal,
  );
  return { results: page.results.map(normalizeReport), next_cursor: page.next_cursor };
}
export const reviewReport = (reportId: string, body: { status: 'reviewed' | 'dismissed'; note?: string; redact?: boolean }) =>
  request<Report>('PATCH', `/api/chat/reports/${id(reportId)}/`, body);

export const fetchAudit = (threadId: string, fromSeq: number | null, limit = 200, signal?: AbortSignal) =>
  request<AuditPage>('GET', withQuery(`/api/moderation/threads/${id(threadId)}/audit/`, { from_seq: fromSeq, limit }), undefined, signal);
export const fetchStateAt = (threadId: string, at: { seq: number } | { at: string }, signal?: AbortSignal) =>
  request<ThreadStateAt>('GET', withQuery(`/api/moderation/threads/${id(threadId)}/state/`, at), undefined, signal);
