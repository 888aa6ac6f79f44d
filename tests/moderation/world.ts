import { changeUserRole } from '../../src/commands/users.js';
import type { GlobalRole } from '../../src/domain/user.js';
import type { TestApp, TestUser } from '../support/testApp.js';

/** Resolves once the clock has passed `ms`, so the next event's occurredAt is later than this one's. */
export async function nextMillisecond(ms = Date.now()): Promise<void> {
  while (Date.now() <= ms) await new Promise((resolve) => setTimeout(resolve, 1));
}

/** Request helpers over one test app, for the moderation suites. */
export function world(t: TestApp) {
  const call = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, as?: TestUser, payload?: object) =>
    t.request({ method, url, ...(as ? { as } : {}), ...(payload ? { payload } : {}) });

  return {
    call,
    /** Sets a global role through the same command the CLI runs, with an operator as actor. */
    async grant(user: TestUser, role: GlobalRole) {
      const context = { actorId: 'operator:tests', correlationId: crypto.randomUUID(), now: new Date() };
      await changeUserRole(t.server.services.commands, { userId: user.id, role }, context);
    },
    async thread(owner: TestUser, options: { title?: string; visibility?: 'public' | 'private'; members?: TestUser[] } = {}) {
      const created = await call('POST', '/api/chat/threads/', owner, { title: options.title ?? 'moderated', visibility: options.visibility ?? 'public' });
      if (created.statusCode !== 201) throw new Error(`create thread: ${created.statusCode} ${created.body}`);
      const id: string = created.json().id;
      for (const member of options.members ?? []) {
        const path = options.visibility === 'private' ? `/api/chat/threads/${id}/invite/` : `/api/chat/threads/${id}/join/`;
        const joined = options.visibility === 'private' ? await call('POST', path, owner, { user: member.id }) : await call('POST', path, member);
        if (joined.statusCode !== 200) throw new Error(`add member: ${joined.statusCode} ${joined.body}`);
      }
      return id;
    },
    async post(as: TestUser, threadId: string, content: string): Promise<{ id: string; seq: number; position: number }> {
      const res = await call('POST', '/api/chat/messages/', as, { thread: threadId, content });
      if (res.statusCode !== 201) throw new Error(`post: ${res.statusCode} ${res.body}`);
      return res.json();
    },
    async report(as: TestUser, message: { id: string; position: number }, reason = 'offensive'): Promise<{ id: string; position: number }> {
      const res = await call('POST', '/api/chat/reports/', as, { message: message.id, reason, min_position: message.position });
      if (res.statusCode !== 201) throw new Error(`report: ${res.statusCode} ${res.body}`);
      // The queue orders by creation time: the next report must not share this one's millisecond.
      await nextMillisecond(Date.parse(res.json().created_at));
      return res.json();
    },
    async promote(owner: TestUser, threadId: string, user: TestUser, role: 'moderator' | 'owner' | 'member') {
      const res = await call('PATCH', `/api/chat/threads/${threadId}/members/${user.id}/`, owner, { role });
      if (res.statusCode !== 200) throw new Error(`change role: ${res.statusCode} ${res.body}`);
      return res.json() as { position: number };
    },
  };
}
