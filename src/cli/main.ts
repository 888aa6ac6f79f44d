import { Command } from 'commander';
import { registerAccessCommands } from './commands/accessCommands.js';
import { registerExport } from './commands/export.js';
import { registerGrantRole } from './commands/grantRole.js';
import { registerRebuild } from './commands/rebuild.js';

/** `npm run cli -- <command>`: operator commands against the configured stores (embedded or production). */
const program = new Command('threadline').description('Threadline operator commands').showHelpAfterError();
registerGrantRole(program);
registerAccessCommands(program);
registerExport(program);
registerRebuild(program);

program.parseAsync().catch((error: unknown) => {
  console.error(`threadline: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
