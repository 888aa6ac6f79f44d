import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EventRef, ReadModelStore, ReadModelWriter } from '../../src/readmodels/readModelStore.js';
import type { ReadModelFactory } from '../contracts/readModelContract.js';

const PROJECTION = 'chat';
const at = (minute: number) => `2025-02-03T09:${String(minute).padStart(2, '0')}:00.000Z`;
const ref = (stream: string, revision: number, position: number): EventRef => ({ stream, revision, position });
const report = (id: string, messageId: string, threadId: string, minute: number) => ({
  id,
  messageId,
  threadId,
  reporterId: 'u-bob',
  reason: `reason ${id}`,
  createdAt: at(minute),
});

/**
 * What the moderation features need from the read-model port (activity index,
 * report events per thread, report counts), registered as tests for any adapter.
 */
export function moderationReadModelContract(name: string, factory: ReadModelFactory): void {
  describe(`read-model contract, moderation indexes: ${name}`, () => {
    let store: ReadModelStore;
    let cleanup: () => Promise<void>;
    let position = 0;
    const apply = (write: (w: ReadModelWriter) => void) => store.applyBatch(PROJECTION, ++position, write);

    beforeEach(async () => {
      ({ store, cleanup } = await factory());
      position = 0;
    });
    afterEach(async () => {
      await cleanup();
    });

    it('listUserActivity pages a user’s events newest first; recording the same event twice keeps one', async () => {
      await apply((w) => {
        for (let p = 1; p <= 5; p++) w.recordUserActivity('u-alice', ref(`thread-t${p % 2}`, p, p * 10));
        w.recordUserActivity('u-bob', ref('thread-t1', 9, 35));
        w.recordUserActivity('u-alice', ref('thread-t1', 1, 10));
      });
      const first = await store.listUserActivity('u-alice', { limit: 2 });
      expect(first).toEqual({ results: [ref('thread-t1', 5, 50), ref('thread-t0', 4, 40)], hasMore: true });
      const rest = await store.listUserActivity('u-alice', { beforePosition: 40, limit: 10 });
      expect(rest.results.map((r) => r.position)).toEqual([30, 20, 10]);
      expect(rest.hasMore).toBe(false);
      expect(await store.listUserActivity('u-nobody', { limit: 10 })).toEqual({ results: [], hasMore: false });
    });

    it('listThreadReportEvents finds the report events of a thread’s messages within a position window, oldest first', async () => {
      await apply((w) => {
        w.putReport(report('r1', 'm1', 't1', 1));
        w.recordReportEvent('m1', ref('reports-m1', 0, 11));
        w.putReport(report('r2', 'm2', 't1', 2));
        w.recordReportEvent('m2', ref('reports-m2', 0, 12));
        w.putReport(report('r3', 'm3', 't2', 3));
        w.recordReportEvent('m3', ref('reports-m3', 0, 13));
        w.reviewReport('r1', { status: 'reviewed', moderatorId: 'u-carol', note: null, at: at(4) });
        w.recordReportEvent('m1', ref('reports-m1', 1, 14));
        w.recordReportEvent('m1', ref('reports-m1', 1, 14));
      });
      const positions = async (options: { afterPosition: number; upToPosition?: number; limit: number }) =>
        (await store.listThreadReportEvents('t1', options)).map((r) => r.position);
      expect(await store.listThreadReportEvents('t1', { afterPosition: 0, limit: 10 })).toEqual([
        ref('reports-m1', 0, 11),
        ref('reports-m2', 0, 12),
        ref('reports-m1', 1, 14),
      ]);
      expect(await positions({ afterPosition: 11, upToPosition: 13, limit: 10 })).toEqual([12]);
      expect(await positions({ afterPosition: 0, limit: 2 })).toEqual([11, 12]);
      expect(await store.listThreadReportEvents('t-none', { afterPosition: 0, limit: 10 })).toEqual([]);
    });

    it('countReportsByMessage counts reports of every status per message', async () => {
      await apply((w) => {
        w.putReport(report('r1', 'm1', 't1', 1));
        w.putReport(report('r2', 'm1', 't1', 2));
        w.putReport(report('r3', 'm2', 't1', 3));
        w.reviewReport('r2', { status: 'dismissed', moderatorId: 'u-carol', note: null, at: at(4) });
      });
      expect(await store.countReportsByMessage(['m1', 'm2', 'm-none'])).toEqual({ m1: 2, m2: 1 });
      expect(await store.countReportsByMessage([])).toEqual({});
    });

    it('truncate empties the moderation indexes too', async () => {
      await apply((w) => {
        w.putReport(report('r1', 'm1', 't1', 1));
        w.recordReportEvent('m1', ref('reports-m1', 0, 1));
        w.recordUserActivity('u-alice', ref('thread-t1', 0, 1));
      });
      await store.truncate(PROJECTION);
      expect(await store.listUserActivity('u-alice', { limit: 10 })).toEqual({ results: [], hasMore: false });
      expect(await store.listThreadReportEvents('t1', { afterPosition: 0, limit: 10 })).toEqual([]);
    });
  });
}
