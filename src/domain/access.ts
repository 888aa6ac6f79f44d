import { conflict, invalid, notFound, type Decider } from './decider.js';

/**
 * Access to the analytics feed: a global `analyst` capability granted to users,
 * and API keys for machine clients. Both live in their own streams, so the
 * user and thread deciders (and the chat read models) never see them.
 */
export type Capability = 'analyst';
export const CAPABILITIES: readonly Capability[] = ['analyst'];

export type ApiKeyScope = 'events:read';
export const API_KEY_SCOPES: readonly ApiKeyScope[] = ['events:read'];

/** Stream `capabilities-{userId}`. */
export type CapabilityEvent =
  | { type: 'CapabilityGranted'; data: { userId: string; capability: Capability; by: string | null } }
  | { type: 'CapabilityRevoked'; data: { userId: string; capability: Capability; by: string | null } };

/** Stream `apikey-{keyId}`: only a hash of the secret is ever recorded. */
export type ApiKeyEvent =
  | {
      type: 'ApiKeyCreated';
      data: { keyId: string; name: string; scopes: ApiKeyScope[]; secretHash: string; createdBy: string | null };
    }
  | { type: 'ApiKeyRevoked'; data: { keyId: string; by: string | null } };

export type AccessEvent = CapabilityEvent | ApiKeyEvent;

export const capabilitiesStream = (userId: string) => `capabilities-${userId}`;
export const apiKeyStream = (keyId: string) => `apikey-${keyId}`;

export type CapabilityCommand =
  | { type: 'GrantCapability'; data: { userId: string; capability: Capability; by: string | null } }
  | { type: 'RevokeCapability'; data: { userId: string; capability: Capability; by: string | null } };

export interface CapabilityState {
  capabilities: ReadonlySet<Capability>;
}

function checkCapability(capability: string): void {
  if (!CAPABILITIES.includes(capability as Capability)) {
    throw invalid('invalid_capability', `capability must be one of ${CAPABILITIES.join(', ')}`);
  }
}

export const capabilityDecider: Decider<CapabilityState, CapabilityCommand, CapabilityEvent> = {
  initialState: () => ({ capabilities: new Set() }),
  decide(command, state) {
    checkCapability(command.data.capability);
    const held = state.capabilities.has(command.data.capability);
    switch (command.type) {
      case 'GrantCapability':
        return held ? [] : [{ type: 'CapabilityGranted', data: command.data }];
      case 'RevokeCapability':
        return held ? [{ type: 'CapabilityRevoked', data: command.data }] : [];
      default: {
        const _exhaustive: never = command;
        return _exhaustive;
      }
    }
  },
  evolve(state, event) {
    const capabilities = new Set(state.capabilities);
    if (event.type === 'CapabilityGranted') capabilities.add(event.data.capability);
    else if (event.type === 'CapabilityRevoked') capabilities.delete(event.data.capability);
    return { capabilities };
  },
};

export type ApiKeyCommand =
  | {
      type: 'CreateApiKey';
      data: { keyId: string; name: string; scopes: ApiKeyScope[]; secretHash: string; createdBy: string | null };
    }
  | { type: 'RevokeApiKey'; data: { keyId: string; by: string | null } };

export type ApiKeyState =
  | { status: 'none' }
  | { status: 'active' | 'revoked'; keyId: string; name: string; scopes: ApiKeyScope[]; secretHash: string };

const MAX_KEY_NAME = 100;

export const apiKeyDecider: Decider<ApiKeyState, ApiKeyCommand, ApiKeyEvent> = {
  initialState: () => ({ status: 'none' }),
  decide(command, state) {
    switch (command.type) {
      case 'CreateApiKey': {
        if (state.status !== 'none') throw conflict('api_key_exists', 'api key already exists');
        const name = command.data.name.trim();
        if (name.length < 1 || name.length > MAX_KEY_NAME) throw invalid('invalid_name', `name must be 1 to ${MAX_KEY_NAME} characters`);
        const scopes = command.data.scopes;
        if (scopes.length === 0 || scopes.some((s) => !API_KEY_SCOPES.includes(s))) {
          throw invalid('invalid_scope', `scopes must be among ${API_KEY_SCOPES.join(', ')}`);
        }
        return [{ type: 'ApiKeyCreated', data: { ...command.data, name, scopes: [...new Set(scopes)] } }];
      }
      case 'RevokeApiKey':
        if (state.status === 'none') throw notFound('api_key_not_found', 'no such api key');
        return state.status === 'revoked' ? [] : [{ type: 'ApiKeyRevoked', data: command.data }];
      default: {
        const _exhaustive: never = command;
        return _exhaustive;
      }
    }
  },
  evolve(state, event) {
    switch (event.type) {
      case 'ApiKeyCreated': {
        const { keyId, name, scopes, secretHash } = event.data;
        return { status: 'active', keyId, name, scopes, secretHash };
      }
      case 'ApiKeyRevoked':
        return state.status === 'none' ? state : { ...state, status: 'revoked' };
      default:
        return state;
    }
  },
};
