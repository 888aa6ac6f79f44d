import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, testEnv, type TestApp, type TestUser } from '../support/testApp.js';
import { world } from './world.js';

const run = promisify(execFile);
let t: TestApp;
let w: ReturnType<typeof world>;
let admin: TestUser;

/** `npm run cli -- grant-role …` as a real process on the running server's data directory. */
const grantRole = (...args: string[]) =>
  run(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'grant-role', ...args], {
    env: { ...process.env, ...testEnv(t.dataDir), USER: 'night-operator' },
  });

beforeAll(async () => {
  t = await startTestApp();
  w = world(t);
  admin = await t.user();
  await w.grant(admin, 'admin');
});
afterAll(() => t.close());

describe('npm run cli -- grant-role', () => {
  it('changes the role at once for the running server, recorded with the operator as actor', async () => {
    const user = await t.user();
    expect((await w.call('GET', '/api/chat/reports/', user)).statusCode).toBe(403);
    const { stdout } = await grantRole(user.username, 'moderator');
    expect(stdout).toContain(`${user.username} is now moderator`);
    expect((await w.call('GET', '/api/auth/me', user)).json().role).toBe('moderator');
    expect((await w.call('GET', '/api/chat/reports/', user)).statusCode).toBe(200);

    const position = Number(/position (\d+)/.exec(stdout)![1]);
    const activity = await w.call('GET', `/api/moderation/users/${user.id}/activity/?min_position=${position}`, admin);
    expect(activity.json().results[0]).toMatchObject({
      type: 'UserRoleChanged',
      data: { userId: user.id, role: 'moderator' },
      metadata: { actorId: 'operator:night-operator', actor_username: null },
    });

    await grantRole(user.username, 'member');
    expect((await w.call('GET', '/api/auth/me', user)).json().role).toBe('member');
    expect((await w.call('GET', '/api/chat/reports/', user)).statusCode).toBe(403);
  });

  it('says so when the role is already held, and fails on an unknown role or user', async () => {
    const user = await t.user();
    expect((await grantRole(user.username, 'member')).stdout).toContain('already has role member');
    await expect(grantRole(user.username, 'superuser')).rejects.toMatchObject({ code: 1, stderr: expect.stringContaining('role must be one of') });
    await expect(grantRole('nobody-by-this-name', 'admin')).rejects.toMatchObject({ code: 1, stderr: expect.stringContaining('no user named') });
  });
});
