import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AggregateLoader } from '../../src/commands/aggregates.js';
import { postMessage } from '../../src/commands/postMessage.js';
import { createThread } from '../../src/commands/threads.js';
import { registerUser } from '../../src/commands/users.js';
import { loadConfig } from '../../src/config.js';
import { openSqliteEventStore } from '../../src/eventstore/sqliteEventStore.js';
import { chatProjection, type Projection } from '../../src/projections/chatProjection.js';
import { ProjectionRunner } from '../../src/projections/projectionRunner.js';
import { openSqliteReadModels } from '../../src/readmodels/sqliteReadModels.js';
import { startServer } from '../../src/server.js';
import { startTestApp, tempDir, testEnv, type TestApp } from '../support/testApp.js';

const logs: { obj: object; msg: string }[] = [];
const logger = { error: (obj: object, msg: string) => logs.push({ obj, msg }), info: () => undefined };
let cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const step of cleanup.reverse()) await step();
  cleanup = [];
  logs.length = 0;
});

describe('a projection that meets an event it cannot handle', () => {
  it('stops there, says so in the log and in /readyz, and stops at the same event after a restart', async () => {
    let t: TestApp = await startTestApp();
    const dataDir = t.dataDir;
    const member = await t.user();
    const threadId = (await t.request({ method: 'POST', url: '/api/chat/threads/', as: member, payload: { title: 't', visibility: 'public' } })).json().id;
    const runner = () => t.server.services.projections[0]!;
    runner().logger = logger;
    const metadata = { actorId: member.id, correlationId: crypto.randomUUID(), causationId: null, occurredAt: new Date().toISOString(), schemaVersion: 1 };
    // Written past validation, as another (buggy) writer could: no content.
    const { position: poison } = await t.server.services.store.append(
      `thread-${threadId}`,
      [{ id: crypto.randomUUID(), type: 'MessagePosted', data: { threadId, messageId: crypto.randomUUID(), authorId: member.id, clientMessageId: null }, metadata }],
      'any',
    );
    await expect.poll(() => runner().failure, { timeout: 5000 }).not.toBeNull();
    expect(runner().failure).toMatchObject({ position: poison, type: 'MessagePosted' });
    expect(logs.map((l) => l.msg)).toEqual([expect.stringMatching(new RegExp(`^projection chat stopped at position ${poison} \\(MessagePosted\\)`))]);

    // Later events are recorded but not projected: nothing is skipped.
    const after = await t.request({ method: 'POST', url: '/api/chat/messages/', as: member, payload: { thread: threadId, content: 'after' } });
    expect(after.statusCode).toBe(201);
    const ready = await t.request({ method: 'GET', url: '/readyz' });
    expect(ready.statusCode).toBe(503);
    expect(ready.json().problems).toEqual([expect.stringContaining(`projection chat stopped at position ${poison} (MessagePosted)`)]);
    expect(await t.server.services.readModels.checkpoint('chat')).toBe(poison - 1);

    // A restart without a fix resumes from the checkpoint and stops at the very same event.
    await t.server.close();
    const server = await startServer(loadConfig(testEnv(dataDir)), { logger: false });
    t = { ...t, server };
    cleanup.push(() => server.close());
    await expect.poll(() => runner().failure?.position, { timeout: 5000 }).toBe(poison);
    expect(await server.services.readModels.checkpoint('chat')).toBe(poison - 1);
  });

  it('resumes from its checkpoint once fixed, and then holds every event', async () => {
    const dir = tempDir();
    const store = await openSqliteEventStore({ file: join(dir, 'events.db') });
    const readModels = openSqliteReadModels(join(dir, 'readmodels.db'));
    cleanup.push(async () => {
      await store.close();
      await readModels.close();
    });
    const deps = { store, aggregates: new AggregateLoader(store), scryptLogN: 10 };
    const context = { actorId: 'operator:test', correlationId: crypto.randomUUID(), now: new Date() };
    const { user } = await registerUser(deps, { username: 'fixme', email: 'fixme@example.com', password: 'long enough password' }, context);
    const as = { ...context, actorId: user.userId };
    const thread = await createThread(deps, { title: 'fix', visibility: 'public' }, as);
    const threadId = thread.events[0]!.data.threadId;
    const contents = ['one', 'two', 'poison', 'four', 'five'];
    for (const content of contents) await postMessage(deps, { threadId, content, clientMessageId: null }, as);

    // The bug: this projection cannot handle the message "poison" until it is fixed.
    let fixed = false;
    const buggy: Projection = {
      name: chatProjection.name,
      apply(event, writer) {
        if (!fixed && (event.data as { content?: string }).content === 'poison') throw new Error('cannot handle poison');
        chatProjection.apply(event, writer);
      },
    };
    const runner = new ProjectionRunner(store, readModels, buggy, logger);
    cleanup.push(() => runner.stop());
    await runner.start();
    await expect.poll(() => runner.failure, { timeout: 5000 }).not.toBeNull();
    const stoppedAt = runner.failure!.position;
    expect(await readModels.checkpoint('chat')).toBeLessThan(stoppedAt);
    expect((await readModels.listMessages(threadId, { limit: 10 })).results).toEqual([]);

    fixed = true;
    await runner.restart();
    expect(await runner.waitFor(await store.headPosition(), 5000)).toBe(true);
    expect(runner.failure).toBeNull();
    const messages = (await readModels.listMessages(threadId, { limit: 10 })).results;
    expect(messages.map((m) => m.content)).toEqual(contents);
  });
});
