import type { Command } from 'commander';
import { changeUserRole, findUserByUsername } from '../../commands/users.js';
import { GLOBAL_ROLES, type GlobalRole } from '../../domain/user.js';
import { openCliStores, operatorContext } from '../stores.js';

export function registerGrantRole(program: Command): void {
  program
    .command('grant-role')
    .description('set a user’s global role (recorded as a UserRoleChanged event with the operator as actor)')
    .argument('<username>')
    .argument('<role>', GLOBAL_ROLES.join('|'))
    .action(async (username: string, role: string) => {
      if (!GLOBAL_ROLES.includes(role as GlobalRole)) throw new Error(`role must be one of ${GLOBAL_ROLES.join(', ')}`);
      const cli = await openCliStores();
      try {
        const user = await findUserByUsername(cli.commands, username);
        if (!user) throw new Error(`no user named ${username}`);
        const { position } = await changeUserRole(cli.commands, { userId: user.userId, role: role as GlobalRole }, operatorContext());
        console.log(position === null ? `${username} already has role ${role}` : `${username} is now ${role} (position ${position})`);
      } finally {
        await cli.close();
      }
    });
}
