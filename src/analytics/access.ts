import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { handleCommand, type CommandContext, type CommandDeps } from '../commands/handleCommand.js';
import {
  apiKeyDecider,
  apiKeyStream,
  capabilitiesStream,
  capabilityDecider,
  type ApiKeyScope,
  type Capability,
} from '../domain/access.js';

/** Commands and checks behind the feed's two kinds of credentials: analyst users and API keys. */

export const grantCapability = (deps: CommandDeps, userId: string, capability: Capability, context: CommandContext) =>
  handleCommand(deps, capabilitiesStream(userId), capabilityDecider, { type: 'GrantCapability', data: { userId, capability, by: context.actorId } }, context);

export const revokeCapability = (deps: CommandDeps, userId: string, capability: Capability, context: CommandContext) =>
  handleCommand(deps, capabilitiesStream(userId), capabilityDecider, { type: 'RevokeCapability', data: { userId, capability, by: context.actorId } }, context);

export async function hasCapability(deps: CommandDeps, userId: string, capability: Capability): Promise<boolean> {
  const { state } = await deps.aggregates.load(capabilitiesStream(userId), capabilityDecider);
  return state.capabilities.has(capability);
}

const KEY_PREFIX = 'tlk';
const KEY_FORMAT = /^tlk_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$/;
const sha256 = (secret: string) => createHash('sha256').update(secret).digest('hex');

/** Creates a key and returns it whole, once: the log keeps only a hash of its secret part. */
export async function createApiKey(deps: CommandDeps, input: { name: string; scopes: ApiKeyScope[] }, context: CommandContext) {
  const keyId = randomBytes(8).toString('hex');
  const secret = randomBytes(32).toString('base64url');
  const data = { keyId, name: input.name, scopes: input.scopes, secretHash: sha256(secret), createdBy: context.actorId };
  const result = await handleCommand(deps, apiKeyStream(keyId), apiKeyDecider, { type: 'CreateApiKey', data }, context);
  return { keyId, key: `${KEY_PREFIX}_${keyId}_${secret}`, position: result.position };
}

export const revokeApiKey = (deps: CommandDeps, keyId: string, context: CommandContext) =>
  handleCommand(deps, apiKeyStream(keyId), apiKeyDecider, { type: 'RevokeApiKey', data: { keyId, by: context.actorId } }, context);

export type ApiKeyCheck = { status: 'valid'; keyId: string; name: string; scopes: ApiKeyScope[] } | { status: 'invalid' };

/** Checks a presented key against the log: it must exist, be active and match the recorded hash. */
export async function checkApiKey(deps: CommandDeps, presented: string): Promise<ApiKeyCheck> {
  const match = KEY_FORMAT.exec(presented);
  if (!match) return { status: 'invalid' };
  const [, keyId, secret] = match as unknown as [string, string, string];
  const { state } = await deps.aggregates.load(apiKeyStream(keyId), apiKeyDecider);
  if (state.status !== 'active') return { status: 'invalid' };
  const equal = timingSafeEqual(Buffer.from(sha256(secret), 'hex'), Buffer.from(state.secretHash, 'hex'));
  return equal ? { status: 'valid', keyId, name: state.name, scopes: state.scopes } : { status: 'invalid' };
}
