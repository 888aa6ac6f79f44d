// One typed function per REST route the client uses (issues 3 and 6).
import { minPosition, request, withQuery } from './http.js';
import type {
  AuditPage,
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

export const listThreads = (signal?: AbortSignal) =>
  request<ThreadSummary[]>('GET', withQuery('/api/chat/threads/', { min_position: minPosition() }), undefined, signal);
export const createThread = (body: { title: string; visibility: Visibility }) => request<ThreadSummary>('POST', '/api/chat/threads/', body);
export const fetchThread = (threadId: string, signal?: AbortSignal) =>
  request<ThreadDetail>('GET', withQuery(`/api/chat/threads/${id(threadId)}/`, { min_position: minPosition() }), undefined, signal);
export const joinThread = (threadId: string) => request<unknown>('POST', `/api/chat/threads/${id(threadId)}/join/`, {});
export const leaveThread = (threadId: string) => request<unknown>('POST', `/api/chat/threads/${id(threadId)}/leave/`, {});
export const inviteToThread = (threadId: string, user: string) =>
  request<unknown>('POST', `/api/chat/threads/${id(threadId)}/invite/`, { user });

export const fetchMessages = (threadId: string, beforeSeq: number | null, limit = 50, signal?: AbortSignal) =>
  request<MessagePage>(
    'GET',
    withQuery('/api/chat/messages/', { thread: threadId, before_seq: beforeSeq, limit, min_position: minPosition() }),
    undefined,
    signal,
  );
export const postMessage = (body: { thread: string; content: string; client_message_id: string }) =>
  request<ChatMessage>('POST', '/api/chat/messages/', body);
export const redactMessage = (messageId: string, reason: string) =>
  request<unknown>('POST', `/api/chat/messages/${id(messageId)}/redact/`, { reason });

export const reportMessage = (messageId: string, reason: string) =>
  request<{ id: string; status: ReportStatus }>('POST', '/api/chat/reports/', { message: messageId, reason });
export const listReports = (status: ReportStatus, cursor: string | null, signal?: AbortSignal) =>
  request<ReportPage>('GET', withQuery('/api/chat/reports/', { status, cursor, limit: 50, min_position: minPosition() }), undefined, signal);
export const reviewReport = (reportId: string, body: { status: 'reviewed' | 'dismissed'; note?: string; redact?: boolean }) =>
  request<Report>('PATCH', `/api/chat/reports/${id(reportId)}/`, body);

export const fetchAudit = (threadId: string, fromSeq: number | null, limit = 200, signal?: AbortSignal) =>
  request<AuditPage>('GET', withQuery(`/api/moderation/threads/${id(threadId)}/audit/`, { from_seq: fromSeq, limit, min_position: minPosition() }), undefined, signal);
export const fetchStateAt = (threadId: string, at: { seq: number } | { at: string }, signal?: AbortSignal) =>
  request<ThreadStateAt>('GET', withQuery(`/api/moderation/threads/${id(threadId)}/state/`, at), undefined, signal);
