import type { CommandDeps } from '../../src/commands/handleCommand.js';
import { postMessage } from '../../src/commands/postMessage.js';
import { redactMessage, reportMessage, reviewReport } from '../../src/commands/reports.js';
import { changeMemberRole, createThread, inviteMember, joinThread, leaveThread, removeMember } from '../../src/commands/threads.js';
import { changeUserRole, registerUser } from '../../src/commands/users.js';
import { DomainError } from '../../src/domain/decider.js';
import type { GlobalRole } from '../../src/domain/user.js';

/** A small deterministic PRNG (mulberry32): the same seed gives the same history. */
export function prng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return { next, int: (n: number) => Math.floor(next() * n), pick: <T>(items: readonly T[]) => items[Math.floor(next() * items.length)]! };
}

/**
 * Drives the real command handlers with random commands of every kind until
 * at least `events` events were appended. Commands the deciders refuse (leaving
 * as the last owner, reporting twice…) are part of the mix and simply skipped.
 */
export async function randomHistory(deps: CommandDeps & { scryptLogN: number }, options: { seed: number; events: number }) {
  const random = prng(options.seed);
  const ctx = (actorId: string, globalRole: GlobalRole = 'member') => ({ actorId, globalRole, correlationId: crypto.randomUUID(), now: new Date() });
  const users: { id: string; role: GlobalRole }[] = [];
  const threads: string[] = [];
  const creators = new Map<string, string>();
  /** A thread and, most of the time, its creator as the actor: random users are rarely allowed to moderate. */
  const moderated = () => {
    const threadId = random.pick(threads);
    return { threadId, actor: random.next() < 0.8 ? creators.get(threadId)! : random.pick(users).id };
  };
  const messages: { id: string; threadId: string }[] = [];
  const reports: { id: string; messageId: string; threadId: string }[] = [];
  let appended = 0;
  const count = (result: { events: unknown[] }) => (appended += result.events.length);

  for (let i = 0; i < 12; i++) {
    const { user } = await registerUser(deps, { username: `u${options.seed}_${i}`, email: `u${i}@example.com`, password: 'password1234' }, ctx('operator:test'));
    users.push({ id: user.userId, role: 'member' });
    appended += 2;
  }
  const hasMessages = () => messages.length > 0;
  const hasReports = () => reports.length > 0;
  const steps: [number, () => Promise<void>, (() => boolean)?][] = [
    [3, async () => {
      const creator = random.pick(users);
      const result = await createThread(deps, { title: `t${threads.length}`, visibility: random.next() < 0.7 ? 'public' : 'private' }, ctx(creator.id));
      threads.push(result.events[0]!.data.threadId);
      creators.set(result.events[0]!.data.threadId, creator.id);
      count(result);
    }],
    [10, async () => void count(await joinThread(deps, random.pick(threads), ctx(random.pick(users).id)))],
    [2, async () => void count(await leaveThread(deps, random.pick(threads), ctx(random.pick(users).id)))],
    [2, async () => void count(await inviteMember(deps, random.pick(threads), random.pick(users).id, ctx(random.pick(users).id)))],
    [2, async () => {
      const { threadId, actor } = moderated();
      count(await removeMember(deps, threadId, random.pick(users).id, random.next() < 0.5 ? 'spam' : null, ctx(actor)));
    }],
    [2, async () => {
      const { threadId, actor } = moderated();
      count(await changeMemberRole(deps, threadId, random.pick(users).id, random.pick(['owner', 'moderator', 'member'] as const), ctx(actor)));
    }],
    [60, async () => {
      const threadId = random.pick(threads);
      const clientMessageId = random.next() < 0.2 ? crypto.randomUUID() : null;
      const posted = await postMessage(deps, { threadId, content: `message ${appended} ${'é'.repeat(random.int(20))} 👋`, clientMessageId }, ctx(random.pick(users).id));
      messages.push({ id: posted.messageId, threadId });
      appended++;
    }],
    [4, async () => {
      const message = random.pick(messages);
      const user = random.pick(users);
      count(await redactMessage(deps, { threadId: message.threadId, messageId: message.id, reason: random.next() < 0.5 ? 'oops' : null }, ctx(user.id, user.role)));
    }, hasMessages],
    [5, async () => {
      const message = random.pick(messages);
      const result = await reportMessage(deps, { messageId: message.id, threadId: message.threadId, reason: 'rude' }, ctx(random.pick(users).id));
      reports.push({ id: (result.events[0]!.data as { reportId: string }).reportId, messageId: message.id, threadId: message.threadId });
      count(result);
    }, hasMessages],
    [3, async () => {
      const report = random.pick(reports);
      const moderator = random.pick(users);
      const status = random.next() < 0.5 ? 'reviewed' : 'dismissed';
      const outcome = await reviewReport(deps, { reportId: report.id, messageId: report.messageId, threadId: report.threadId, status, note: null, redact: false }, ctx(moderator.id, moderator.role));
      count(outcome.review);
    }, hasReports],
    [1, async () => {
      const user = random.pick(users);
      user.role = random.pick(['member', 'moderator', 'admin'] as const);
      const { position } = await changeUserRole(deps, { userId: user.id, role: user.role }, ctx('operator:test'));
      if (position !== null) appended++;
    }],
  ];
  const total = steps.reduce((sum, [weight]) => sum + weight, 0);
  while (appended < options.events) {
    let roll = random.int(total);
    const [, step, possible] = steps.find(([weight]) => (roll -= weight) < 0)!;
    if (threads.length === 0) {
      await steps[0]![1]();
      continue;
    }
    if (possible && !possible()) continue;
    try {
      await step();
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
    }
  }
  return { appended, users: users.length, threads: threads.length, messages: messages.length };
}
