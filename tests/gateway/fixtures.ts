import { expect } from 'vitest';
import type { TestApp, TestUser } from '../support/testApp.js';

/** Creates a thread owned by `owner` and joins `members` to it (through the REST API, so through the commands). */
export async function threadWith(t: TestApp, owner: TestUser, members: TestUser[] = [], visibility: 'public' | 'private' = 'public') {
  const created = await t.request({ method: 'POST', url: '/api/chat/threads/', as: owner, payload: { title: 'gateway', visibility } });
  expect(created.statusCode).toBe(201);
  const threadId = created.json().id as string;
  for (const member of members) {
    const joined = await t.request({ method: 'POST', url: `/api/chat/threads/${threadId}/join/`, as: member });
    expect(joined.statusCode).toBe(200);
  }
  return threadId;
}

export async function post(t: TestApp, as: TestUser, threadId: string, content: string) {
  const res = await t.request({ method: 'POST', url: '/api/chat/messages/', as, payload: { thread: threadId, content } });
  expect(res.statusCode, res.body).toBe(201);
  return res.json() as { id: string; thread: string; author: object; content: string; created_at: string; seq: number; position: number };
}

