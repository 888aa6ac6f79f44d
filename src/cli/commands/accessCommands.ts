import type { Command } from 'commander';
import { createApiKey, grantCapability, revokeApiKey, revokeCapability } from '../../analytics/access.js';
import { findUserByUsername } from '../../commands/users.js';
import { API_KEY_SCOPES, CAPABILITIES, type ApiKeyScope, type Capability } from '../../domain/access.js';
import { openCliStores, operatorContext } from '../stores.js';

/** `grant-capability`, `create-api-key` and `revoke-api-key`: access to the analytics feed, recorded as events. */
export function registerAccessCommands(program: Command): void {
  program
    .command('grant-capability')
    .description('grant (or with --revoke, take back) a global capability; `analyst` reads the event feed')
    .argument('<username>')
    .argument('<capability>', CAPABILITIES.join('|'))
    .option('--revoke', 'take the capability back')
    .action(async (username: string, capability: string, options: { revoke?: boolean }) => {
      if (!CAPABILITIES.includes(capability as Capability)) throw new Error(`capability must be one of ${CAPABILITIES.join(', ')}`);
      const cli = await openCliStores();
      try {
        const user = await findUserByUsername(cli.commands, username);
        if (!user) throw new Error(`no user named ${username}`);
        const change = options.revoke ? revokeCapability : grantCapability;
        const { position } = await change(cli.commands, user.userId, capability as Capability, operatorContext());
        const verb = options.revoke ? 'no longer has' : 'now has';
        console.log(position === null ? `${username}: nothing to change` : `${username} ${verb} ${capability} (position ${position})`);
      } finally {
        await cli.close();
      }
    });

  program
    .command('create-api-key')
    .description('create an API key for machine clients; the key is printed once, only its hash is kept')
    .argument('<name>', 'what the key is for')
    .option('--scope <scope...>', `scopes (${API_KEY_SCOPES.join(', ')})`, ['events:read'])
    .action(async (name: string, options: { scope: string[] }) => {
      const unknown = options.scope.filter((s) => !API_KEY_SCOPES.includes(s as ApiKeyScope));
      if (unknown.length > 0) throw new Error(`unknown scope ${unknown.join(', ')}; known: ${API_KEY_SCOPES.join(', ')}`);
      const cli = await openCliStores();
      try {
        const { key, keyId } = await createApiKey(cli.commands, { name, scopes: options.scope as ApiKeyScope[] }, operatorContext());
        // The key alone on stdout, for scripts; the advice on stderr.
        console.log(key);
        console.error(`API key ${keyId} ("${name}", ${options.scope.join(' ')}): store it now, it is not shown again. Send it as X-API-Key.`);
      } finally {
        await cli.close();
      }
    });

  program
    .command('revoke-api-key')
    .description('stop an API key from working')
    .argument('<keyId>', 'the id printed when the key was created (the part after tlk_)')
    .action(async (keyId: string) => {
      const cli = await openCliStores();
      try {
        const { position } = await revokeApiKey(cli.commands, keyId, operatorContext());
        console.log(position === null ? `api key ${keyId} was already revoked` : `api key ${keyId} revoked (position ${position})`);
      } finally {
        await cli.close();
      }
    });
}
