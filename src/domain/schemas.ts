import Type, { type Static, type TSchema } from 'typebox';
import Compile from 'typebox/compile';
import type { AccessEvent } from './access.js';
import { SCHEMA_VERSION, type DomainEvent } from './events.js';

/**
 * One TypeBox schema per event type: the single description of what each event
 * carries. Appends are validated against it (`assertValidEvent`), `docs/events.md`
 * is generated from it (`npm run docs:events`) and the analytics feed reads old
 * events back through `upcast` into the shape described here.
 */

const text = (description?: string, options: { minLength?: number; maxLength?: number } = {}) =>
  Type.String({ ...(description ? { description } : {}), ...options });
const id = (description?: string) => Type.String({ minLength: 1, maxLength: 200, ...(description ? { description } : {}) });
const nullable = <T extends TSchema>(schema: T, description: string) => Type.Union([schema, Type.Null()], { description });
const data = <P extends Type.TProperties>(properties: P) => Type.Object(properties, { additionalProperties: false });

const GlobalRole = Type.Union([Type.Literal('member'), Type.Literal('moderator'), Type.Literal('admin')], { description: 'global role' });
const ThreadRole = Type.Union([Type.Literal('owner'), Type.Literal('moderator'), Type.Literal('member')], {
  description: 'role in the thread',
});
const Analyst = Type.Literal('analyst', { description: 'capability' });
const actor = (description: string) => nullable(id(), description);

export const EVENT_SCHEMAS = {
  UserRegistered: {
    stream: 'user-{userId}',
    description: 'A user signed up. The feed keeps only `userId` and `role`: users appear there by id.',
    data: data({
      userId: id('user id (UUID)'),
      username: text('chosen username, as typed', { minLength: 3, maxLength: 32 }),
      email: text('email address (personal data)', { minLength: 3, maxLength: 254 }),
      passwordHash: text('scrypt hash of the password (secret)', { minLength: 1 }),
      role: GlobalRole,
    }),
  },
  UserRoleChanged: {
    stream: 'user-{userId}',
    description: "A user's global role changed.",
    data: data({ userId: id('user id'), role: GlobalRole, by: actor('who changed it: a user id, `operator:{name}` for the CLI, or null') }),
  },
  UsernameReserved: {
    stream: 'username-{lowercased username}',
    description: 'Claims a username, appended with expected revision "no stream" so a name is taken once. Not in the feed.',
    data: data({ username: text('the username, as typed', { minLength: 1 }), userId: id('user id it belongs to') }),
  },
  ThreadCreated: {
    stream: 'thread-{threadId}',
    description: 'A thread was created; a MemberJoined of its creator as owner follows.',
    data: data({
      threadId: id('thread id (UUID)'),
      title: text('title, trimmed', { minLength: 1, maxLength: 200 }),
      visibility: Type.Union([Type.Literal('public'), Type.Literal('private')], {
        description: 'public threads are listed to everyone; private ones only to members',
      }),
      createdBy: id('user id of the creator'),
    }),
  },
  MemberJoined: {
    stream: 'thread-{threadId}',
    description: 'A user became a member, by joining or by invitation.',
    data: data({
      threadId: id('thread id'),
      userId: id('user id of the new member'),
      role: ThreadRole,
      invitedBy: actor('user id of who invited them; null when they joined'),
    }),
  },
  MemberLeft: {
    stream: 'thread-{threadId}',
    description: 'A member left the thread.',
    data: data({ threadId: id('thread id'), userId: id('user id') }),
  },
  MemberRemoved: {
    stream: 'thread-{threadId}',
    description: 'An owner or moderator removed a member.',
    data: data({
      threadId: id('thread id'),
      userId: id('user id of the removed member'),
      by: id('user id of who removed them'),
      reason: nullable(text(), 'reason given, if any'),
    }),
  },
  MemberRoleChanged: {
    stream: 'thread-{threadId}',
    description: "An owner changed a member's role in the thread.",
    data: data({ threadId: id('thread id'), userId: id('user id'), role: ThreadRole, by: id('user id of the owner') }),
  },
  MessagePosted: {
    stream: 'thread-{threadId}',
    description:
      'A message was posted. Its revision in the stream is the message `seq`. In the feed, a message that was later redacted has `content: null`.',
    data: data({
      threadId: id('thread id'),
      messageId: id('message id (UUID made by the server, a UUIDv7; messages posted with a client_message_id before 2026-11-26 carry a name-based UUID)'),
      authorId: id('user id of the author'),
      content: text('message text, trimmed', { minLength: 1, maxLength: 4000 }),
      clientMessageId: nullable(id(), 'client-chosen UUID that makes a retried post idempotent'),
    }),
  },
  MessageRedacted: {
    stream: 'thread-{threadId}',
    description: "A message's content was removed by its author or a moderator.",
    data: data({
      threadId: id('thread id'),
      messageId: id('message id'),
      by: id('user id of who redacted it'),
      reason: nullable(text(), 'reason given, if any'),
    }),
  },
  MessageReported: {
    stream: 'reports-{messageId}',
    description: 'A member reported a message to the moderators.',
    data: data({
      reportId: id('report id (UUID)'),
      messageId: id('reported message id'),
      threadId: id('thread of the message'),
      reporterId: id('user id of the reporter'),
      reason: text('why, trimmed', { minLength: 1, maxLength: 1000 }),
    }),
  },
  ReportReviewed: {
    stream: 'reports-{messageId}',
    description: 'A moderator closed a report.',
    data: data({
      reportId: id('report id'),
      messageId: id('reported message id'),
      status: Type.Union([Type.Literal('reviewed'), Type.Literal('dismissed')], { description: 'outcome' }),
      moderatorId: id('user id of the moderator'),
      note: nullable(text(), 'moderator note, if any'),
    }),
  },
  CapabilityGranted: {
    stream: 'capabilities-{userId}',
    description: 'A global capability (today only `analyst`: reads the event feed) was granted to a user.',
    data: data({ userId: id('user id'), capability: Analyst, by: actor('who granted it') }),
  },
  CapabilityRevoked: {
    stream: 'capabilities-{userId}',
    description: 'A global capability was taken back.',
    data: data({ userId: id('user id'), capability: Analyst, by: actor('who revoked it') }),
  },
  ApiKeyCreated: {
    stream: 'apikey-{keyId}',
    description: 'An API key for machine clients was created. Only a hash of its secret is recorded; the feed drops even that.',
    data: data({
      keyId: id('key id (the public part of the key)'),
      name: text('what the key is for', { minLength: 1, maxLength: 100 }),
      scopes: Type.Array(Type.Literal('events:read'), { minItems: 1, description: 'what the key may do' }),
      secretHash: text('SHA-256 of the secret part, hex (secret)', { minLength: 64, maxLength: 64 }),
      createdBy: actor('who created it'),
    }),
  },
  ApiKeyRevoked: {
    stream: 'apikey-{keyId}',
    description: 'An API key stopped working.',
    data: data({ keyId: id('key id'), by: actor('who revoked it') }),
  },
} as const;

export type LoggedEvent = DomainEvent | AccessEvent;
export type EventType = keyof typeof EVENT_SCHEMAS;
export const EVENT_TYPES = Object.keys(EVENT_SCHEMAS) as EventType[];

// Compile-time proof that every logged event type has a schema and that each schema
// describes exactly the TypeScript type the deciders produce.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type DataOf<T extends LoggedEvent['type']> = Extract<LoggedEvent, { type: T }>['data'];
type SchemaData<T extends EventType> = Static<(typeof EVENT_SCHEMAS)[T]['data']>;
const _schemasMatchTypes: { [T in LoggedEvent['type']]: T extends EventType ? Same<SchemaData<T>, DataOf<T>> : false } & {
  [T in EventType]: T extends LoggedEvent['type'] ? true : false;
} = {
  UserRegistered: true,
  UserRoleChanged: true,
  UsernameReserved: true,
  ThreadCreated: true,
  MemberJoined: true,
  MemberLeft: true,
  MemberRemoved: true,
  MemberRoleChanged: true,
  MessagePosted: true,
  MessageRedacted: true,
  MessageReported: true,
  ReportReviewed: true,
  CapabilityGranted: true,
  CapabilityRevoked: true,
  ApiKeyCreated: true,
  ApiKeyRevoked: true,
};

const validators = new Map(EVENT_TYPES.map((type) => [type, Compile(EVENT_SCHEMAS[type].data)]));

export const isEventType = (type: string): type is EventType => Object.hasOwn(EVENT_SCHEMAS, type);

/** A bug, not a user error: a decider produced an event its schema does not allow. */
export class InvalidEventError extends Error {
  override readonly name = 'InvalidEventError';
}

/** Throws InvalidEventError unless `data` is a valid current-version `type` event. */
export function assertValidEvent(type: string, data: unknown): void {
  const validator = isEventType(type) ? validators.get(type) : undefined;
  if (!validator) throw new InvalidEventError(`unknown event type ${type}: add its schema to src/domain/schemas.ts`);
  if (validator.Check(data)) return;
  const problems = validator.Errors(data).map((e) => `${e.instancePath || '/'} ${e.message}`);
  throw new InvalidEventError(`invalid ${type} event: ${problems.join('; ')}`);
}

/** Every event carries the version of its data's shape; the current one is SCHEMA_VERSION. */
export const CURRENT_SCHEMA_VERSION = SCHEMA_VERSION;

interface StoredShape {
  stream: string;
  data: unknown;
}
interface Upcaster {
  /** What changed, for docs/events.md. */
  change: string;
  apply(event: StoredShape): unknown;
}

const streamId = (stream: string) => stream.slice(stream.indexOf('-') + 1);
const record = (value: unknown): Record<string, unknown> => (typeof value === 'object' && value !== null ? { ...value } : {});

/**
 * Steps from one version to the next, per type: `UPCASTERS[type][v]` turns a
 * version-v shape into version v+1. A type without a step at v kept its shape.
 *
 * Version 0 is the draft shape of the design brief, written before the first
 * release: thread events without `threadId` (it is in the stream name),
 * MemberJoined without `invitedBy`, UserRoleChanged without `by`.
 */
export const UPCASTERS: Partial<Record<EventType, Record<number, Upcaster>>> = {
  MemberJoined: {
    0: {
      change: '`threadId` added (taken from the stream name); `invitedBy` added (null)',
      apply: ({ stream, data }) => ({ threadId: streamId(stream), invitedBy: null, ...record(data) }),
    },
  },
  MemberLeft: {
    0: { change: '`threadId` added (taken from the stream name)', apply: ({ stream, data }) => ({ threadId: streamId(stream), ...record(data) }) },
  },
  MessageRedacted: {
    0: {
      change: '`threadId` added (taken from the stream name); `reason` made explicit (null when absent)',
      apply: ({ stream, data }) => ({ threadId: streamId(stream), reason: null, ...record(data) }),
    },
  },
  UserRoleChanged: {
    0: { change: '`by` added (null: unknown)', apply: ({ data }) => ({ by: null, ...record(data) }) },
  },
};

/** Reads a stored event's data as the current shape. Events without a recorded version are version 0. */
export function upcast(event: { type: string; stream: string; data: unknown; schemaVersion: number | undefined }): unknown {
  let data = event.data;
  const steps = isEventType(event.type) ? UPCASTERS[event.type] : undefined;
  for (let version = event.schemaVersion ?? 0; version < CURRENT_SCHEMA_VERSION; version++) {
    const step = steps?.[version];
    if (step) data = step.apply({ stream: event.stream, data });
  }
  return data;
}

/** The same recorded event with its data in the current shape (itself when already current). */
export function upcastRecorded<E extends { type: string; stream: string; data: unknown; metadata: { schemaVersion: number } }>(event: E): E {
  if (event.metadata.schemaVersion >= CURRENT_SCHEMA_VERSION) return event;
  return { ...event, data: upcast({ ...event, schemaVersion: event.metadata.schemaVersion }) };
}
