import { postMessage } from '../commands/postMessage.js';
import { createThread, joinThread } from '../commands/threads.js';
import { changeUserRole, findUserByUsername, registerUser } from '../commands/users.js';
import { openCliStores, operatorContext } from './stores.js';

/** Demo data, through the same command handlers as the API (documented in the README). */
export const DEMO_USERS = [
  { username: 'alice', password: 'alice-password', role: 'member' },
  { username: 'bob', password: 'bob-password', role: 'member' },
  { username: 'carol', password: 'carol-password', role: 'moderator' },
] as const;

async function seed(): Promise<void> {
  const cli = await openCliStores();
  try {
    const { commands } = cli;
    if (await findUserByUsername(commands, 'alice')) {
      console.log('seed: demo data already present (user alice exists); nothing to do');
      return;
    }
    const ids: Record<string, string> = {};
    for (const demo of DEMO_USERS) {
      const { user } = await registerUser(
        commands,
        { username: demo.username, email: `${demo.username}@example.com`, password: demo.password },
        operatorContext(),
      );
      ids[demo.username] = user.userId;
      if (demo.role !== 'member') await changeUserRole(commands, { userId: user.userId, role: demo.role }, operatorContext());
    }
    const as = (username: string) => ({ ...operatorContext(), actorId: ids[username]! });
    const general = await createThread(commands, { title: 'General', visibility: 'public' }, as('alice'));
    const generalId = general.events[0]!.data.threadId;
    await joinThread(commands, generalId, as('bob'));
    await joinThread(commands, generalId, as('carol'));
    const lines: [string, string][] = [
      ['alice', 'Welcome to Threadline! Every message here is an event in the log.'],
      ['bob', 'Hi Alice 👋 Is history replayable?'],
      ['alice', 'Yes: moderators can replay any thread as it stood at any point.'],
      ['carol', 'I keep an eye on reports. Be nice!'],
    ];
    for (const [author, content] of lines) {
      await postMessage(commands, { threadId: generalId, content, clientMessageId: null }, as(author));
    }
    const backstage = await createThread(commands, { title: 'Backstage', visibility: 'private' }, as('bob'));
    await postMessage(commands, { threadId: backstage.events[0]!.data.threadId, content: 'Only invited members see this.', clientMessageId: null }, as('bob'));
    console.log('seed: created users alice, bob, carol (moderator); threads General (public) and Backstage (private, bob)');
    for (const demo of DEMO_USERS) console.log(`  login: ${demo.username} / ${demo.password}`);
  } finally {
    await cli.close();
  }
}

seed().catch((error: unknown) => {
  console.error('seed failed:', error instanceof Error ? error.message : error);
  process.exit(1);
});
