import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFeedPage } from '../../src/analytics/feedReader.js';
import { RedactionIndex } from '../../src/analytics/redactionIndex.js';
import { handleCommand } from '../../src/commands/handleCommand.js';
import type { Decider } from '../../src/domain/decider.js';
import { assertValidEvent, EVENT_TYPES, InvalidEventError, upcast } from '../../src/domain/schemas.js';
import { threadStream } from '../../src/domain/thread.js';
import { renderEventDocs } from '../../scripts/eventDocs.js';
import { startTestApp, type TestApp } from '../support/testApp.js';

const uuid = () => crypto.randomUUID();
const context = () => ({ actorId: 'operator:test', correlationId: uuid(), now: new Date() });

describe('event schemas', () => {
  it('docs/events.md is generated from the current schemas (run `npm run docs:events` after changing them)', () => {
    const committed = readFileSync(new URL('../../docs/events.md', import.meta.url), 'utf8');
    expect(committed).toBe(renderEventDocs());
    for (const type of EVENT_TYPES) expect(committed).toContain(`### ${type}\n`);
  });

  it('accept what the deciders produce and refuse anything else', () => {
    const posted = { threadId: uuid(), messageId: uuid(), authorId: uuid(), content: 'hi 👋', clientMessageId: null };
    expect(() => assertValidEvent('MessagePosted', posted)).not.toThrow();
    expect(() => assertValidEvent('MessagePosted', { ...posted, content: '' })).toThrow(/content/);
    expect(() => assertValidEvent('MessagePosted', { ...posted, content: '👋'.repeat(4001) })).toThrow(InvalidEventError);
    // 4000 emoji are 4000 characters (code points), not 8000 UTF-16 units.
    expect(() => assertValidEvent('MessagePosted', { ...posted, content: '👋'.repeat(4000) })).not.toThrow();
    expect(() => assertValidEvent('MessagePosted', { ...posted, byGlobalModerator: true })).toThrow(InvalidEventError);
    const { clientMessageId: _, ...withoutClientId } = posted;
    expect(() => assertValidEvent('MessagePosted', withoutClientId)).toThrow(/clientMessageId/);
    expect(() => assertValidEvent('MemberJoined', { threadId: uuid(), userId: uuid(), role: 'king', invitedBy: null })).toThrow(InvalidEventError);
    expect(() => assertValidEvent('TypingStarted', {})).toThrow(/unknown event type/);
  });

  it('are checked on append: an invalid event is never written', async () => {
    const t = await startTestApp();
    try {
      const sloppy: Decider<null, 'post', { type: string; data: unknown }> = {
        initialState: () => null,
        evolve: (state) => state,
        decide: () => [{ type: 'MessagePosted', data: { threadId: 'x', messageId: uuid(), authorId: uuid(), content: 42, clientMessageId: null } }],
      };
      const stream = threadStream(uuid());
      await expect(handleCommand(t.server.services.commands, stream, sloppy, 'post', context())).rejects.toThrow(InvalidEventError);
      expect(await t.server.services.store.readStream(stream)).toEqual([]);
    } finally {
      await t.close();
    }
  });
});

describe('upcasting', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it('reads an old-version event back in the current shape, in the feed and in the read models', async () => {
    const { store, projections, readModels } = t.server.services;
    const owner = await t.user();
    const threadId = uuid();
    const stream = threadStream(threadId);
    const metadata = (schemaVersion: number) => ({ ...context(), actorId: owner.id, causationId: null, occurredAt: new Date().toISOString(), schemaVersion });
    // As a pre-release writer recorded them: version 0 MemberJoined had neither threadId nor invitedBy.
    await store.append(
      stream,
      [
        { id: uuid(), type: 'ThreadCreated', data: { threadId, title: 'old', visibility: 'public', createdBy: owner.id }, metadata: metadata(1) },
        { id: uuid(), type: 'MemberJoined', data: { userId: owner.id, role: 'owner' }, metadata: metadata(0) },
      ],
      'no_stream',
    );
    const [, recorded] = await store.readStream(stream);
    expect(recorded!.data).toEqual({ userId: owner.id, role: 'owner' });
    const current = { threadId, userId: owner.id, role: 'owner', invitedBy: null };
    expect(upcast({ ...recorded!, schemaVersion: 0 })).toEqual(current);
    expect(() => assertValidEvent('MemberJoined', upcast({ ...recorded!, schemaVersion: 0 }))).not.toThrow();

    const page = await readFeedPage(store, new RedactionIndex(store), { after: recorded!.position - 1, limit: 1 });
    expect(page.events[0]).toMatchObject({ type: 'MemberJoined', schema_version: 1, data: current });

    expect(await projections[0]!.waitFor(recorded!.position, 5000)).toBe(true);
    expect(projections[0]!.failure).toBeNull();
    expect(await readModels.listMembers(threadId)).toEqual([expect.objectContaining({ userId: owner.id, role: 'owner' })]);
  });
});
