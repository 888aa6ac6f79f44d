import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { MessageView, ReadModelStore, ReadModelWriter, ReportView } from '../../src/readmodels/readModelStore.js';

export type ReadModelFactory = () => Promise<{ store: ReadModelStore; cleanup(): Promise<void> }>;

const PROJECTION = 'chat';
const at = (minute: number) => `2025-01-27T10:${String(minute).padStart(2, '0')}:00.000Z`;

const alice = { id: 'u-alice', username: 'alice', email: 'alice@example.test', role: 'member' as const, createdAt: at(0) };
const bob = { id: 'u-bob', username: 'bob', email: 'bob@example.test', role: 'member' as const, createdAt: at(0) };
const carol = { id: 'u-carol', username: 'carol', email: 'carol@example.test', role: 'moderator' as const, createdAt: at(0) };

const thread = (id: string, visibility: 'public' | 'private', createdBy: string, minute: number) => ({
  id,
  title: `title of ${id}`,
  visibility,
  createdBy,
  createdAt: at(minute),
});

const message = (threadId: string, seq: number, authorId = alice.id) => ({
  id: `${threadId}-m${seq}`,
  threadId,
  seq,
  position: 100 + seq,
  authorId,
  content: `message ${seq}`,
  clientMessageId: null,
  createdAt: at(seq),
});

const report = (id: string, overrides: Partial<{ threadId: string; reporterId: string; minute: number }> = {}) => ({
  id,
  messageId: 't1-m1',
  threadId: overrides.threadId ?? 't1',
  reporterId: overrides.reporterId ?? bob.id,
  reason: `reason ${id}`,
  createdAt: at(overrides.minute ?? 1),
});

/**
 * The read-model port's documented behaviour, registered as vitest tests.
 * Every adapter's spec file calls this with a factory that returns an empty store.
 */
export function readModelContract(name: string, factory: ReadModelFactory): void {
  describe(`read-model contract: ${name}`, () => {
    let store: ReadModelStore;
    let cleanup: () => Promise<void>;
    let position = 0;
    /** Applies one batch at the next position. */
    const apply = (write: (w: ReadModelWriter) => void) => store.applyBatch(PROJECTION, ++position, write);

    beforeEach(async () => {
      ({ store, cleanup } = await factory());
      position = 0;
    });
    afterEach(async () => {
      await cleanup();
    });

    describe('checkpoints', () => {
      it('start at 0 and move to the last position of each applied batch', async () => {
        expect(await store.checkpoint(PROJECTION)).toBe(0);
        await store.applyBatch(PROJECTION, 5, (w) => w.putUser(alice));
        expect(await store.checkpoint(PROJECTION)).toBe(5);
        await store.applyBatch(PROJECTION, 9, (w) => w.putUser(bob));
        expect(await store.checkpoint(PROJECTION)).toBe(9);
        expect(await store.checkpoint('another-projection')).toBe(0);
      });

      it('apply nothing when the batch fails: no operation and no checkpoint move', async () => {
        await store.applyBatch(PROJECTION, 3, (w) => w.putUser(alice));
        const failing = store.applyBatch(PROJECTION, 4, (w) => {
          w.putUser(bob);
          w.setUserRole(alice.id, 'admin');
          throw new Error('projection bug');
        });
        await expect(failing).rejects.toThrow('projection bug');
        expect(await store.getUser(bob.id)).toBeNull();
        expect((await store.getUser(alice.id))?.role).toBe('member');
        expect(await store.checkpoint(PROJECTION)).toBe(3);
      });

      it('ignore a batch at or below the checkpoint, so a redelivered batch changes nothing', async () => {
        await store.applyBatch(PROJECTION, 10, (w) => w.putUser(alice));
        await store.applyBatch(PROJECTION, 10, (w) => w.setUserRole(alice.id, 'admin'));
        await store.applyBatch(PROJECTION, 7, (w) => {
          w.setUserRole(alice.id, 'moderator');
          w.putUser(bob);
        });
        expect((await store.getUser(alice.id))?.role).toBe('member');
        expect(await store.getUser(bob.id)).toBeNull();
        expect(await store.checkpoint(PROJECTION)).toBe(10);

        await store.applyBatch(PROJECTION, 11, (w) => w.setUserRole(alice.id, 'admin'));
        expect((await store.getUser(alice.id))?.role).toBe('admin');
        expect(await store.checkpoint(PROJECTION)).toBe(11);
      });

      it('apply batches handed over before the previous one settled, in call order', async () => {
        const batches = [
          store.applyBatch(PROJECTION, 1, (w) => w.putUser(alice)),
          store.applyBatch(PROJECTION, 2, (w) => w.setUserRole(alice.id, 'moderator')),
          store.applyBatch(PROJECTION, 3, (w) => w.setUserRole(alice.id, 'admin')),
        ];
        await Promise.all(batches);
        expect((await store.getUser(alice.id))?.role).toBe('admin');
        expect(await store.checkpoint(PROJECTION)).toBe(3);
      });

      it('after a failed batch, apply none of the projection’s later batches until its checkpoint is read again', async () => {
        await store.applyBatch(PROJECTION, 1, (w) => w.putUser(alice));
        const failing = store.applyBatch(PROJECTION, 2, () => {
          throw new Error('projection bug');
        });
        // Handed over before the caller has seen the failure: applying it would leave position 2 out.
        const next = store.applyBatch(PROJECTION, 3, (w) => w.setUserRole(alice.id, 'admin'));
        await expect(failing).rejects.toThrow('projection bug');
        await expect(next).rejects.toThrow(/earlier batch of projection chat failed/);
        await expect(store.applyBatch(PROJECTION, 4, (w) => w.putUser(bob))).rejects.toThrow(/earlier batch/);
        // Another projection is not affected.
        await store.applyBatch('other', 1, (w) => w.putUser(carol));
        expect((await store.getUser(alice.id))?.role).toBe('member');
        expect(await store.getUser(bob.id)).toBeNull();

        // Resuming: read the checkpoint, then apply from there.
        expect(await store.checkpoint(PROJECTION)).toBe(1);
        await store.applyBatch(PROJECTION, 3, (w) => w.setUserRole(alice.id, 'admin'));
        expect((await store.getUser(alice.id))?.role).toBe('admin');
        expect(await store.checkpoint(PROJECTION)).toBe(3);
      });

      it('keep one checkpoint per projection', async () => {
        await store.applyBatch('first', 4, (w) => w.putUser(alice));
        await store.applyBatch('second', 2, (w) => w.putUser(bob));
        expect(await store.checkpoint('first')).toBe(4);
        expect(await store.checkpoint('second')).toBe(2);
      });
    });

    describe('users', () => {
      it('putUser and setUserRole show in getUser; an unknown user is null', async () => {
        await apply((w) => w.putUser(alice));
        expect(await store.getUser(alice.id)).toEqual(alice);
        await apply((w) => w.setUserRole(alice.id, 'moderator'));
        expect(await store.getUser(alice.id)).toEqual({ ...alice, role: 'moderator' });
        expect(await store.getUser('u-nobody')).toBeNull();
      });
    });

    describe('threads and members', () => {
      beforeEach(async () => {
        await apply((w) => [alice, bob, carol].forEach((u) => w.putUser(u)));
      });

      it('putThread shows in getThread, last active when created and with no members', async () => {
        await apply((w) => w.putThread(thread('t1', 'public', alice.id, 1)));
        expect(await store.getThread('t1')).toEqual({
          ...thread('t1', 'public', alice.id, 1),
          lastActivityAt: at(1),
          memberCount: 0,
        });
        expect(await store.getThread('t-missing')).toBeNull();
      });

      it('touchThread moves the last activity', async () => {
        await apply((w) => w.putThread(thread('t1', 'public', alice.id, 1)));
        await apply((w) => w.touchThread('t1', at(7)));
        expect((await store.getThread('t1'))?.lastActivityAt).toBe(at(7));
      });

      it('putMember, setMemberRole and removeMember show in listMembers, getMemberRole and memberCount', async () => {
        await apply((w) => {
          w.putThread(thread('t1', 'private', alice.id, 1));
          w.putMember({ threadId: 't1', userId: alice.id, role: 'owner', joinedAt: at(1) });
          w.putMember({ threadId: 't1', userId: bob.id, role: 'member', joinedAt: at(2) });
          w.putMember({ threadId: 't1', userId: carol.id, role: 'member', joinedAt: at(3) });
        });
        expect((await store.getThread('t1'))?.memberCount).toBe(3);
        const members = await store.listMembers('t1');
        expect([...members].sort((a, b) => a.userId.localeCompare(b.userId))).toEqual([
          { userId: alice.id, username: 'alice', role: 'owner', joinedAt: at(1) },
          { userId: bob.id, username: 'bob', role: 'member', joinedAt: at(2) },
          { userId: carol.id, username: 'carol', role: 'member', joinedAt: at(3) },
        ]);

        await apply((w) => {
          w.setMemberRole('t1', bob.id, 'moderator');
          w.removeMember('t1', carol.id);
        });
        expect(await store.getMemberRole('t1', bob.id)).toBe('moderator');
        expect(await store.getMemberRole('t1', carol.id)).toBeNull();
        expect(await store.getMemberRole('t1', 'u-nobody')).toBeNull();
        expect((await store.listMembers('t1')).map((m) => m.userId).sort()).toEqual([alice.id, bob.id]);
        expect((await store.getThread('t1'))?.memberCount).toBe(2);
        expect(await store.listMembers('t-missing')).toEqual([]);
      });

      it('listThreadsVisibleTo lists public threads and the private ones the user belongs to, newest activity first', async () => {
        await apply((w) => {
          w.putThread(thread('t-public-old', 'public', carol.id, 1));
          w.putThread(thread('t-public-new', 'public', carol.id, 2));
          w.putThread(thread('t-private-bob', 'private', bob.id, 3));
          w.putThread(thread('t-private-carol', 'private', carol.id, 4));
          w.putMember({ threadId: 't-private-bob', userId: bob.id, role: 'owner', joinedAt: at(3) });
          w.putMember({ threadId: 't-private-carol', userId: carol.id, role: 'owner', joinedAt: at(4) });
        });
        await apply((w) => w.touchThread('t-public-old', at(9)));

        const forBob = await store.listThreadsVisibleTo(bob.id, 10);
        expect(forBob.map((t) => t.id)).toEqual(['t-public-old', 't-private-bob', 't-public-new']);
        expect(forBob.find((t) => t.id === 't-private-bob')?.memberCount).toBe(1);

        expect((await store.listThreadsVisibleTo(alice.id, 10)).map((t) => t.id)).toEqual(['t-public-old', 't-public-new']);
        expect((await store.listThreadsVisibleTo(carol.id, 2)).map((t) => t.id)).toEqual(['t-public-old', 't-private-carol']);
      });

      it('a member who left no longer sees the private thread', async () => {
        await apply((w) => {
          w.putThread(thread('t-private', 'private', alice.id, 1));
          w.putMember({ threadId: 't-private', userId: bob.id, role: 'member', joinedAt: at(2) });
        });
        expect((await store.listThreadsVisibleTo(bob.id, 10)).map((t) => t.id)).toEqual(['t-private']);
        await apply((w) => w.removeMember('t-private', bob.id));
        expect(await store.listThreadsVisibleTo(bob.id, 10)).toEqual([]);
      });
    });

    describe('messages', () => {
      beforeEach(async () => {
        await apply((w) => {
          w.putUser(alice);
          w.putUser(bob);
          w.putThread(thread('t1', 'public', alice.id, 0));
          w.putThread(thread('t2', 'public', alice.id, 0));
          for (let seq = 1; seq <= 5; seq++) w.putMessage(message('t1', seq, seq % 2 ? alice.id : bob.id));
          w.putMessage(message('t2', 1));
        });
      });

      const seqs = (page: { results: MessageView[] }) => page.results.map((m) => m.seq);

      it('getMessage returns the message with its author; an unknown one is null', async () => {
        expect(await store.getMessage('t1-m2')).toEqual({
          id: 't1-m2',
          threadId: 't1',
          seq: 2,
          position: 102,
          author: { id: bob.id, username: 'bob', email: 'bob@example.test' },
          content: 'message 2',
          createdAt: at(2),
          redacted: false,
          redactedBy: null,
          redactedAt: null,
        });
        expect(await store.getMessage('m-missing')).toBeNull();
      });

      it('listMessages pages backwards from the newest, each page oldest first, with hasMore', async () => {
        const newest = await store.listMessages('t1', { limit: 2 });
        expect(seqs(newest)).toEqual([4, 5]);
        expect(newest.hasMore).toBe(true);
        expect(newest.results[1]?.author.username).toBe('alice');

        const middle = await store.listMessages('t1', { beforeSeq: 4, limit: 2 });
        expect(seqs(middle)).toEqual([2, 3]);
        expect(middle.hasMore).toBe(true);

        const oldest = await store.listMessages('t1', { beforeSeq: 2, limit: 2 });
        expect(seqs(oldest)).toEqual([1]);
        expect(oldest.hasMore).toBe(false);
      });

      it('listMessages returns a whole short thread without hasMore, and nothing for an unknown thread', async () => {
        const all = await store.listMessages('t1', { limit: 5 });
        expect(seqs(all)).toEqual([1, 2, 3, 4, 5]);
        expect(all.hasMore).toBe(false);
        expect(seqs(await store.listMessages('t2', { limit: 50 }))).toEqual([1]);
        expect(await store.listMessages('t-missing', { limit: 50 })).toEqual({ results: [], hasMore: false });
      });

      it('redactMessage hides the content everywhere and records who and when', async () => {
        await apply((w) => w.redactMessage('t1-m3', carol.id, at(30), 'spam'));
        const redacted = await store.getMessage('t1-m3');
        expect(redacted).toMatchObject({ content: null, redacted: true, redactedBy: carol.id, redactedAt: at(30) });
        const page = await store.listMessages('t1', { limit: 10 });
        expect(page.results.find((m) => m.id === 't1-m3')?.content).toBeNull();
        expect(page.results.find((m) => m.id === 't1-m4')).toMatchObject({ content: 'message 4', redacted: false });
      });

      it('applies the operations of one batch in order', async () => {
        await apply((w) => {
          w.putMessage(message('t1', 6));
          w.redactMessage('t1-m6', carol.id, at(40), null);
          w.touchThread('t1', at(40));
        });
        expect(await store.getMessage('t1-m6')).toMatchObject({ content: null, redacted: true, seq: 6 });
        expect((await store.getThread('t1'))?.lastActivityAt).toBe(at(40));
      });
    });

    describe('reports', () => {
      const review = { status: 'dismissed' as const, moderatorId: carol.id, note: 'not spam', at: at(50) };

      it('putReport shows as pending in getReport; reviewReport records the decision', async () => {
        await apply((w) => w.putReport(report('r1')));
        expect(await store.getReport('r1')).toEqual({
          ...report('r1'),
          status: 'pending',
          reviewedBy: null,
          reviewedAt: null,
          note: null,
        });
        await apply((w) => w.reviewReport('r1', review));
        expect(await store.getReport('r1')).toMatchObject({ status: 'dismissed', reviewedBy: carol.id, reviewedAt: at(50), note: 'not spam' });
        expect(await store.getReport('r-missing')).toBeNull();
      });

      it('listReports filters by status, thread and reporter', async () => {
        await apply((w) => {
          w.putReport(report('r1', { minute: 1 }));
          w.putReport(report('r2', { minute: 2, threadId: 't2' }));
          w.putReport(report('r3', { minute: 3, reporterId: alice.id }));
          w.reviewReport('r1', review);
        });
        const ids = async (filter: Parameters<ReadModelStore['listReports']>[0]) =>
          (await store.listReports(filter)).results.map((r) => r.id).sort();
        expect(await ids({ limit: 10 })).toEqual(['r1', 'r2', 'r3']);
        expect(await ids({ status: 'pending', limit: 10 })).toEqual(['r2', 'r3']);
        expect(await ids({ status: 'dismissed', limit: 10 })).toEqual(['r1']);
        expect(await ids({ status: 'reviewed', limit: 10 })).toEqual([]);
        expect(await ids({ threadId: 't2', limit: 10 })).toEqual(['r2']);
        expect(await ids({ reporterId: alice.id, limit: 10 })).toEqual(['r3']);
        expect(await ids({ status: 'pending', reporterId: bob.id, limit: 10 })).toEqual(['r2']);
      });

      it('listReports pages with its cursor: every report once, no page over the limit, no cursor after the last', async () => {
        await apply((w) => {
          for (let i = 1; i <= 7; i++) w.putReport(report(`r${i}`, { minute: i % 3 }));
        });
        const seen: ReportView[] = [];
        let cursor: string | undefined;
        for (let pages = 0; pages < 10; pages++) {
          const page = await store.listReports({ limit: 3, ...(cursor ? { cursor } : {}) });
          expect(page.results.length).toBeLessThanOrEqual(3);
          seen.push(...page.results);
          if (page.nextCursor === null) break;
          cursor = page.nextCursor;
        }
        expect(seen.map((r) => r.id).sort()).toEqual(['r1', 'r2', 'r3', 'r4', 'r5', 'r6', 'r7']);

        const exact = await store.listReports({ limit: 7 });
        expect(exact.results).toHaveLength(7);
        expect(exact.nextCursor).toBeNull();
      });
    });

    describe('truncate', () => {
      it('empties every read model and the checkpoint, ready for a rebuild', async () => {
        await store.applyBatch(PROJECTION, 42, (w) => {
          w.putUser(alice);
          w.putThread(thread('t1', 'public', alice.id, 1));
          w.putMember({ threadId: 't1', userId: alice.id, role: 'owner', joinedAt: at(1) });
          w.putMessage(message('t1', 1));
          w.putReport(report('r1'));
        });
        await store.truncate(PROJECTION);
        expect(await store.checkpoint(PROJECTION)).toBe(0);
        expect(await store.getUser(alice.id)).toBeNull();
        expect(await store.getThread('t1')).toBeNull();
        expect(await store.listMembers('t1')).toEqual([]);
        expect(await store.getMessage('t1-m1')).toBeNull();
        expect(await store.getReport('r1')).toBeNull();
        expect(await store.listThreadsVisibleTo(alice.id, 10)).toEqual([]);

        // The rebuild starts from the beginning again.
        await store.applyBatch(PROJECTION, 1, (w) => w.putUser(alice));
        expect(await store.getUser(alice.id)).toEqual(alice);
        expect(await store.checkpoint(PROJECTION)).toBe(1);
      });
    });
  });
}
