import { MongoClient, type AnyBulkWriteOperation, type Collection, type Db, type Filter } from 'mongodb';
import type { GlobalRole } from '../domain/user.js';
import type { ThreadRole, Visibility } from '../domain/thread.js';
import type {
  EventRef,
  MemberView,
  MessageView,
  ReadModelStore,
  ReadModelWriter,
  ReportFilter,
  ReportView,
  ThreadView,
  UserView,
} from './readModelStore.js';
import { BatchSequence, batchRefused } from './batchSequence.js';
import { decodeReportCursor, encodeReportCursor } from './reportCursor.js';

interface UserDoc {
  _id: string;
  username: string;
  email: string;
  role: GlobalRole;
  createdAt: string;
}
interface ThreadDoc {
  _id: string;
  title: string;
  visibility: Visibility;
  createdBy: string;
  createdAt: string;
  lastActivityAt: string;
}
interface MemberDoc {
  _id: string;
  threadId: string;
  userId: string;
  role: ThreadRole;
  joinedAt: string;
}
interface MessageDoc {
  _id: string;
  threadId: string;
  seq: number;
  position: number;
  authorId: string;
  content: string | null;
  clientMessageId: string | null;
  createdAt: string;
  redacted: boolean;
  redactedBy: string | null;
  redactedAt: string | null;
  redactionReason: string | null;
}
/** A report as stored: the view's fields, keyed by `_id`. */
type ReportDoc = Omit<ReportView, 'id'> & { _id: string };
/** Moderation indexes: pointers into the log (`_id` = `{userId}:{position}` / `{messageId}:{position}`), never copies. */
interface UserActivityDoc extends EventRef {
  _id: string;
  userId: string;
}
interface ReportEventDoc extends EventRef {
  _id: string;
  messageId: string;
}
interface CheckpointDoc {
  _id: string;
  position: number;
}

/** The buffered operations of one batch, per collection, in the order the projection issued them. */
interface PendingOps {
  users: AnyBulkWriteOperation<UserDoc>[];
  threads: AnyBulkWriteOperation<ThreadDoc>[];
  members: AnyBulkWriteOperation<MemberDoc>[];
  messages: AnyBulkWriteOperation<MessageDoc>[];
  reports: AnyBulkWriteOperation<ReportDoc>[];
  userActivity: AnyBulkWriteOperation<UserActivityDoc>[];
  reportEvents: AnyBulkWriteOperation<ReportEventDoc>[];
}

const READ_MODELS = ['users', 'threads', 'members', 'messages', 'reports', 'userActivity', 'reportEvents'] as const;

const memberKey = (threadId: string, userId: string) => `${threadId}:${userId}`;

/**
 * Turns each writer call into a bulk-write op. Upserts mirror the SQLite adapter:
 * users, threads and members are updated in place, messages and reports are
 * insert-once ($setOnInsert), so replaying their events changes nothing.
 */
function bufferingWriter(ops: PendingOps): ReadModelWriter {
  return {
    putUser: ({ id, username, email, role, createdAt }) =>
      ops.users.push({
        updateOne: { filter: { _id: id }, update: { $set: { username, email, role }, $setOnInsert: { createdAt } }, upsert: true },
      }),
    setUserRole: (userId, role) => ops.users.push({ updateOne: { filter: { _id: userId }, update: { $set: { role } } } }),
    putThread: ({ id, title, visibility, createdBy, createdAt }) =>
      ops.threads.push({
        updateOne: {
          filter: { _id: id },
          update: { $set: { title, visibility }, $setOnInsert: { createdBy, createdAt, lastActivityAt: createdAt } },
          upsert: true,
        },
      }),
    touchThread: (threadId, at) => ops.threads.push({ updateOne: { filter: { _id: threadId }, update: { $max: { lastActivityAt: at } } } }),
    putMember: ({ threadId, userId, role, joinedAt }) =>
      ops.members.push({
        updateOne: {
          filter: { _id: memberKey(threadId, userId) },
          update: { $set: { threadId, userId, role, joinedAt } },
          upsert: true,
        },
      }),
    setMemberRole: (threadId, userId, role) =>
      ops.members.push({ updateOne: { filter: { _id: memberKey(threadId, userId) }, update: { $set: { role } } } }),
    removeMember: (threadId, userId) => ops.members.push({ deleteOne: { filter: { _id: memberKey(threadId, userId) } } }),
    putMessage: ({ id, ...message }) =>
      ops.messages.push({
        updateOne: {
          filter: { _id: id },
          update: {
            $setOnInsert: { ...message, redacted: false, redactedBy: null, redactedAt: null, redactionReason: null },
          },
          upsert: true,
        },
      }),
    // The text itself is erased, not hidden: it never leaves the read model again.
    redactMessage: (messageId, by, at, reason) =>
      ops.messages.push({
        updateOne: {
          filter: { _id: messageId },
          update: { $set: { content: null, redacted: true, redactedBy: by, redactedAt: at, redactionReason: reason } },
        },
      }),
    putReport: ({ id, ...report }) =>
      ops.reports.push({
        updateOne: {
          filter: { _id: id },
          update: { $setOnInsert: { ...report, status: 'pending', reviewedBy: null, reviewedAt: null, note: null } },
          upsert: true,
        },
      }),
    reviewReport: (reportId, { status, moderatorId, note, at }) =>
      ops.reports.push({
        updateOne: { filter: { _id: reportId }, update: { $set: { status, reviewedBy: moderatorId, reviewedAt: at, note } } },
      }),
    recordUserActivity: (userId, { stream, revision, position }) =>
      ops.userActivity.push({
        updateOne: {
          filter: { _id: `${userId}:${position}` },
          update: { $setOnInsert: { userId, stream, revision, position } },
          upsert: true,
        },
      }),
    recordReportEvent: (messageId, { stream, revision, position }) =>
      ops.reportEvents.push({
        updateOne: {
          filter: { _id: `${messageId}:${position}` },
          update: { $setOnInsert: { messageId, stream, revision, position } },
          upsert: true,
        },
      }),
  };
}

/** The indexes the queries below need; createIndexes is a no-op when they already exist. */
async function ensureIndexes(db: Db): Promise<void> {
  await Promise.all([
    db.collection('threads').createIndexes([{ key: { lastActivityAt: -1, _id: 1 } }, { key: { visibility: 1, lastActivityAt: -1 } }]),
    db.collection('members').createIndexes([{ key: { threadId: 1, joinedAt: 1, userId: 1 } }, { key: { userId: 1 } }]),
    db.collection('messages').createIndexes([{ key: { threadId: 1, seq: -1 }, unique: true }]),
    db.collection('reports').createIndexes([
      { key: { status: 1, createdAt: 1, _id: 1 } },
      { key: { threadId: 1, createdAt: 1, _id: 1 } },
      { key: { reporterId: 1, createdAt: 1, _id: 1 } },
      { key: { messageId: 1 } },
    ]),
    db.collection('userActivity').createIndexes([{ key: { userId: 1, position: -1 } }]),
    db.collection('reportEvents').createIndexes([{ key: { messageId: 1, position: 1 } }]),
  ]);
}


const toReport = ({ _id, ...r }: ReportDoc): ReportView => ({
  id: _id,
  messageId: r.messageId,
  threadId: r.threadId,
  reporterId: r.reporterId,
  reason: r.reason,
  status: r.status,
  createdAt: r.createdAt,
  reviewedBy: r.reviewedBy,
  reviewedAt: r.reviewedAt,
  note: r.note,
});

/**
 * Read models in MongoDB, one collection per model. A batch and its checkpoint
 * are committed in one majority-acknowledged transaction, which needs a replica
 * set (a single-node one is enough).
 */
export async function openMongoReadModels(url: string, options: { dbName?: string } = {}): Promise<ReadModelStore> {
  const client = await MongoClient.connect(url, { writeConcern: { w: 'majority' }, readConcern: { level: 'majority' } });
  try {
    const db = client.db(options.dbName);
    await ensureIndexes(db);
    return mongoReadModels(client, db);
  } catch (error) {
    await client.close();
    throw error;
  }
}

function mongoReadModels(client: MongoClient, db: Db): ReadModelStore {
  const users: Collection<UserDoc> = db.collection('users');
  const threads: Collection<ThreadDoc> = db.collection('threads');
  const members: Collection<MemberDoc> = db.collection('members');
  const messages: Collection<MessageDoc> = db.collection('messages');
  const reports: Collection<ReportDoc> = db.collection('reports');
  const checkpoints: Collection<CheckpointDoc> = db.collection('checkpoints');
  const userActivity: Collection<UserActivityDoc> = db.collection('userActivity');
  const reportEvents: Collection<ReportEventDoc> = db.collection('reportEvents');
  const toRef = ({ stream, revision, position }: EventRef): EventRef => ({ stream, revision, position });

  async function withMemberCounts(docs: ThreadDoc[]): Promise<ThreadView[]> {
    const counts = await members
      .aggregate<{ _id: string; n: number }>([
        { $match: { threadId: { $in: docs.map((t) => t._id) } } },
        { $group: { _id: '$threadId', n: { $sum: 1 } } },
      ])
      .toArray();
    const countOf = new Map(counts.map((c) => [c._id, c.n]));
    return docs.map(({ _id, ...t }) => ({
      id: _id,
      title: t.title,
      visibility: t.visibility,
      createdBy: t.createdBy,
      createdAt: t.createdAt,
      lastActivityAt: t.lastActivityAt,
      memberCount: countOf.get(_id) ?? 0,
    }));
  }

  async function withAuthors(docs: MessageDoc[]): Promise<MessageView[]> {
    const authors = await users.find({ _id: { $in: [...new Set(docs.map((m) => m.authorId))] } }).toArray();
    const byId = new Map(authors.map((u) => [u._id, u]));
    return docs.map((m) => {
      const author = byId.get(m.authorId);
      return {
        id: m._id,
        threadId: m.threadId,
        seq: m.seq,
        position: m.position,
        author: { id: m.authorId, username: author?.username ?? '', email: author?.email ?? '' },
        content: m.redacted ? null : m.content,
        createdAt: m.createdAt,
        redacted: m.redacted,
        redactedBy: m.redactedBy,
        redactedAt: m.redactedAt,
      };
    });
  }

  /** One batch and its checkpoint, in one transaction. */
  const commit = (projection: string, lastPosition: number, ops: PendingOps) =>
    client.withSession((session) =>
      session.withTransaction(
        async () => {
          // Read inside the transaction: a concurrent runner that committed this batch first makes ours a no-op
          // (or a write conflict that withTransaction retries into one).
          const current = await checkpoints.findOne({ _id: projection }, { session });
          if (current && current.position >= lastPosition) return;
          // Sequential, not parallel: operations inside one transaction must not run concurrently.
          if (ops.users.length) await users.bulkWrite(ops.users, { session });
          if (ops.threads.length) await threads.bulkWrite(ops.threads, { session });
          if (ops.members.length) await members.bulkWrite(ops.members, { session });
          if (ops.messages.length) await messages.bulkWrite(ops.messages, { session });
          if (ops.reports.length) await reports.bulkWrite(ops.reports, { session });
          if (ops.userActivity.length) await userActivity.bulkWrite(ops.userActivity, { session });
          if (ops.reportEvents.length) await reportEvents.bulkWrite(ops.reportEvents, { session });
          await checkpoints.updateOne({ _id: projection }, { $set: { position: lastPosition } }, { upsert: true, session });
        },
        { writeConcern: { w: 'majority' }, readConcern: { level: 'snapshot' } },
      ),
    );
  const batches = new BatchSequence<null>();

  return {
    async checkpoint(projection) {
      await batches.resume(projection);
      return (await checkpoints.findOne({ _id: projection }))?.position ?? 0;
    },

    async applyBatch(projection, lastPosition, write) {
      const ops: PendingOps = { users: [], threads: [], members: [], messages: [], reports: [], userActivity: [], reportEvents: [] };
      try {
        write(bufferingWriter(ops));
      } catch (error) {
        batches.fail(projection);
        throw error;
      }
      // In call order: a rebuild hands over the next page before this one has committed.
      await batches.add(projection, (previous) => ({
        ticket: null,
        committed: previous
          ? previous.done.then((ok) => (ok ? commit(projection, lastPosition, ops) : Promise.reject(batchRefused(projection))))
          : commit(projection, lastPosition, ops),
      }));
    },

    async truncate(projection) {
      await batches.settled();
      // Checkpoint first: if this stops halfway, the rebuild still starts from 0 and replays over the leftovers.
      await checkpoints.deleteOne({ _id: projection });
      await Promise.all(READ_MODELS.map((name) => db.collection(name).deleteMany({})));
    },

    async getUser(userId): Promise<UserView | null> {
      const u = await users.findOne({ _id: userId });
      return u ? { id: u._id, username: u.username, email: u.email, role: u.role, createdAt: u.createdAt } : null;
    },

    async getThread(threadId) {
      const t = await threads.findOne({ _id: threadId });
      return t ? ((await withMemberCounts([t]))[0] ?? null) : null;
    },

    async listMembers(threadId): Promise<MemberView[]> {
      const docs = await members.find({ threadId }).sort({ joinedAt: 1, userId: 1 }).toArray();
      const names = await users.find({ _id: { $in: docs.map((m) => m.userId) } }, { projection: { username: 1 } }).toArray();
      const nameOf = new Map(names.map((u) => [u._id, u.username]));
      return docs.map((m) => ({ userId: m.userId, username: nameOf.get(m.userId) ?? '', role: m.role, joinedAt: m.joinedAt }));
    },

    async getMemberRole(threadId, userId) {
      return (await members.findOne({ _id: memberKey(threadId, userId) }))?.role ?? null;
    },

    async listThreadsVisibleTo(userId, limit) {
      const own = await members.find({ userId }, { projection: { threadId: 1 } }).toArray();
      const docs = await threads
        .find({ $or: [{ visibility: 'public' }, { _id: { $in: own.map((m) => m.threadId) } }] })
        .sort({ lastActivityAt: -1, _id: 1 })
        .limit(limit)
        .toArray();
      return withMemberCounts(docs);
    },

    async listMessages(threadId, { beforeSeq, limit }) {
      const filter: Filter<MessageDoc> = beforeSeq === undefined ? { threadId } : { threadId, seq: { $lt: beforeSeq } };
      const newestFirst = await messages
        .find(filter)
        .sort({ seq: -1 })
        .limit(limit + 1)
        .toArray();
      const hasMore = newestFirst.length > limit;
      return { results: await withAuthors(newestFirst.slice(0, limit).reverse()), hasMore };
    },

    async getMessage(messageId) {
      const m = await messages.findOne({ _id: messageId });
      return m ? ((await withAuthors([m]))[0] ?? null) : null;
    },

    async getReport(reportId) {
      const r = await reports.findOne({ _id: reportId });
      return r ? toReport(r) : null;
    },

    async listReports(filter: ReportFilter) {
      const query: Filter<ReportDoc> = {};
      if (filter.status) query.status = filter.status;
      if (filter.threadId) query.threadId = filter.threadId;
      if (filter.reporterId) query.reporterId = filter.reporterId;
      const after = filter.cursor ? decodeReportCursor(filter.cursor) : null;
      if (after) {
        const [createdAt, id] = after;
        query.$or = [{ createdAt: { $gt: createdAt } }, { createdAt, _id: { $gt: id } }];
      }
      const docs = await reports
        .find(query)
        .sort({ createdAt: 1, _id: 1 })
        .limit(filter.limit + 1)
        .toArray();
      const page = docs.slice(0, filter.limit);
      const last = page[page.length - 1];
      return { results: page.map(toReport), nextCursor: docs.length > filter.limit && last ? encodeReportCursor(last.createdAt, last._id) : null };
    },

    async countReportsByMessage(messageIds) {
      if (messageIds.length === 0) return {};
      const counts = await reports
        .aggregate<{ _id: string; n: number }>([{ $match: { messageId: { $in: [...messageIds] } } }, { $group: { _id: '$messageId', n: { $sum: 1 } } }])
        .toArray();
      return Object.fromEntries(counts.map((c) => [c._id, c.n]));
    },

    async listUserActivity(userId, { beforePosition, limit }) {
      const filter: Filter<UserActivityDoc> = beforePosition === undefined ? { userId } : { userId, position: { $lt: beforePosition } };
      const docs = await userActivity
        .find(filter)
        .sort({ position: -1 })
        .limit(limit + 1)
        .toArray();
      return { results: docs.slice(0, limit).map(toRef), hasMore: docs.length > limit };
    },

    async listThreadReportEvents(threadId, { afterPosition, upToPosition, limit }) {
      // Report events name their message, not always their thread: the thread's reports say which messages are its.
      const messageIds = await reports.distinct('messageId', { threadId });
      if (messageIds.length === 0) return [];
      const position = upToPosition === undefined ? { $gt: afterPosition } : { $gt: afterPosition, $lte: upToPosition };
      const docs = await reportEvents
        .find({ messageId: { $in: messageIds }, position })
        .sort({ position: 1 })
        .limit(limit)
        .toArray();
      return docs.map(toRef);
    },

    async close() {
      await client.close();
    },
  };
}
