import type { RecordedEvent } from '../eventstore/eventStore.js';
import { readRefs, type AuditDeps } from './threadAudit.js';

export interface ActivityEvent {
  event: RecordedEvent;
  /** The thread the event belongs to; null for events about the user account itself. */
  threadId: string | null;
}

/**
 * The events a user took part in, newest first, read from the log through the
 * read model's activity index. Review events do not name their thread, so it
 * comes from the report they review.
 */
export async function userActivityPage(
  deps: AuditDeps,
  userId: string,
  options: { beforePosition?: number; limit: number },
): Promise<{ results: ActivityEvent[]; nextBeforePosition: number | null }> {
  const { results: refs, hasMore } = await deps.readModels.listUserActivity(userId, options);
  const events = await readRefs(deps.store, refs);
  const results = await Promise.all(events.map(async (event) => ({ event, threadId: await threadOf(deps, event) })));
  const last = refs[refs.length - 1];
  return { results, nextBeforePosition: hasMore && last ? last.position : null };
}

async function threadOf(deps: AuditDeps, event: RecordedEvent): Promise<string | null> {
  const data = event.data as { threadId?: string; reportId?: string };
  if (typeof data.threadId === 'string') return data.threadId;
  if (event.type === 'ReportReviewed' && data.reportId) return (await deps.readModels.getReport(data.reportId))?.threadId ?? null;
  return null;
}
