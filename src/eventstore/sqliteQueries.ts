import type Database from 'better-sqlite3';
import type { EphemeralSignal, EventMetadata, ProjectedEvent, RecordedEvent } from './eventStore.js';

/** An event row as an array, in EVENT_COLUMNS order (`.raw()`: no object per row). */
type EventRow = [position: number, id: string, stream: string, revision: number, type: string, data: string, metadata: string, recordedAt: string];
/** The columns a projection reads, in PROJECTED_COLUMNS order. */
type ProjectedRow = [position: number, stream: string, revision: number, type: string, data: string, metadata: string];

interface SignalRow {
  id: number;
  channel: string;
  payload: string;
}

/** A signal with the row id that orders it. */
export interface StoredSignal {
  id: number;
  signal: EphemeralSignal;
}

const EVENT_COLUMNS = 'position, id, stream, revision, type, data, metadata, recorded_at';
const PROJECTED_COLUMNS = 'position, stream, revision, type, data, metadata';
/** SQLite reads LIMIT -1 as "no limit". */
export const NO_LIMIT = -1;

/** Statements kept per distinct LIMIT; callers use a handful of page sizes. */
const LIMIT_VARIANTS = 32;

/** Every read the store runs, prepared once (writes go through the writer's own connections). */
export function prepareQueries(events: Database.Database) {
  /**
   * `sql` without its LIMIT, queried with the limit last. The limit goes into the
   * SQL text rather than a bound parameter: SQLite (3.4x+) lets a bound LIMIT
   * steer the plan, so rebinding it re-prepares the statement on every run,
   * which made an empty stream read cost ~12 µs instead of ~2 µs.
   */
  const limited = <P extends unknown[], R>(sql: string, raw = false) => {
    const variants = new Map<number, Database.Statement<P, R>>();
    return (params: P, limit: number): R[] => {
      let statement = variants.get(limit);
      if (!statement) {
        if (!Number.isSafeInteger(limit)) throw new RangeError(`limit must be an integer, got ${limit}`);
        statement = events.prepare<P, R>(limit < 0 ? sql : `${sql} LIMIT ${limit}`);
        if (raw) statement.raw();
        if (variants.size >= LIMIT_VARIANTS) variants.delete(variants.keys().next().value!);
        variants.set(limit, statement);
      }
      return statement.all(...params);
    };
  };
  const rows = <P extends unknown[]>(sql: string) => {
    const query = limited<P, EventRow>(sql, true);
    return (...args: [...P, number]): RecordedEvent[] => {
      const limit = args.pop() as number;
      return query(args as unknown as P, limit).map(toRecordedEvent);
    };
  };
  const scalar = (sql: string) => {
    const statement = events.prepare<[], number>(sql).pluck();
    return (): number => statement.get() ?? 0;
  };
  const projectedAfter = limited<[number], ProjectedRow>(
    `SELECT ${PROJECTED_COLUMNS} FROM events WHERE position > ? ORDER BY position`,
    true,
  );
  const signalsAfter = limited<[number], SignalRow>('SELECT id, channel, payload FROM ephemeral WHERE id > ? ORDER BY id');

  return {
    /** (stream, fromRevision inclusive, maxCount) */
    streamForwards: rows<[string, number]>(
      `SELECT ${EVENT_COLUMNS} FROM events WHERE stream = ? AND revision >= ? ORDER BY revision`,
    ),
    streamBackwards: rows<[string, number]>(
      `SELECT ${EVENT_COLUMNS} FROM events WHERE stream = ? AND revision <= ? ORDER BY revision DESC`,
    ),
    /** (after position exclusive, maxCount) */
    allAfter: rows<[number]>(`SELECT ${EVENT_COLUMNS} FROM events WHERE position > ? ORDER BY position`),
    /** (after position exclusive, maxCount), without the columns projections never read. */
    projectedAfter: (after: number, limit: number): ProjectedEvent[] =>
      projectedAfter([after], limit).map(toProjectedEvent),
    /** Catch-up pages: (after position, up to position inclusive, maxCount) */
    allBetween: rows<[number, number]>(
      `SELECT ${EVENT_COLUMNS} FROM events WHERE position > ? AND position <= ? ORDER BY position`,
    ),
    /** (stream, after revision, up to position inclusive, maxCount) */
    streamBetween: rows<[string, number, number]>(
      `SELECT ${EVENT_COLUMNS} FROM events WHERE stream = ? AND revision > ? AND position <= ? ORDER BY revision`,
    ),
    headPosition: scalar('SELECT MAX(position) FROM events'),
    /** Bumped when another connection (this process or another) commits to the file. */
    dataVersion: scalar('PRAGMA data_version'),
    signalsAfter: (afterId: number, limit: number): StoredSignal[] =>
      signalsAfter([afterId], limit).map((row) => ({
        id: row.id,
        signal: { channel: row.channel, payload: JSON.parse(row.payload) as unknown },
      })),
    lastSignalId: scalar('SELECT MAX(id) FROM ephemeral'),
  };
}

export type SqliteQueries = ReturnType<typeof prepareQueries>;

/**
 * JSON columns parsed here, once, into a plain object: a getter per event (the
 * lazy parse this replaced) made reading a page cost about twice as much, in
 * closures, slow property access and garbage collection, as parsing it.
 */
function toRecordedEvent(row: EventRow): RecordedEvent {
  return {
    id: row[1],
    stream: row[2],
    type: row[4],
    revision: row[3],
    position: row[0],
    recordedAt: row[7],
    data: JSON.parse(row[5]) as unknown,
    metadata: JSON.parse(row[6]) as EventMetadata,
  };
}

function toProjectedEvent(row: ProjectedRow): ProjectedEvent {
  return {
    stream: row[1],
    type: row[3],
    revision: row[2],
    position: row[0],
    data: JSON.parse(row[4]) as unknown,
    metadata: JSON.parse(row[5]) as EventMetadata,
  };
}
