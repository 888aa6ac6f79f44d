import { Command } from 'commander';
import { registerGrantRole } from './commands/grantRole.js';

/** `npm run cli -- <command>`: operator commands against the configured stores (embedded or production). */
const program = new Command('threadline').description('Threadline operator commands').showHelpAfterError();
registerGrantRole(program);

program.parseAsync().catch((error: unknown) => {
  console.error(`threadline: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
