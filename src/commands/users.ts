import { newId } from '../ids.js';
import { conflict } from '../domain/decider.js';
import { SCHEMA_VERSION } from '../domain/events.js';
import { assertValidEvent } from '../domain/schemas.js';
import {
  userDecider,
  usernameStream,
  userStream,
  validateEmail,
  validatePassword,
  validateUsername,
  type GlobalRole,
  type UserState,
} from '../domain/user.js';
import { WrongExpectedVersion } from '../eventstore/eventStore.js';
import { hashPassword } from '../auth/passwords.js';
import { handleCommand, type CommandContext, type CommandDeps } from './handleCommand.js';

export type RegisteredUser = Extract<UserState, { status: 'registered' }>;

export async function registerUser(
  deps: CommandDeps & { scryptLogN: number },
  input: { username: string; email: string; password: string },
  context: CommandContext,
): Promise<{ user: RegisteredUser; position: number }> {
  // Cheap checks before the deliberately slow hash.
  validateUsername(input.username);
  validateEmail(input.email);
  validatePassword(input.password);
  const userId = newId();
  const reserved = { username: input.username, userId };
  assertValidEvent('UsernameReserved', reserved);
  try {
    // "No stream" makes the name unique without consulting any read model.
    await deps.store.append(
      usernameStream(input.username),
      [
        {
          id: newId(),
          type: 'UsernameReserved',
          data: reserved,
          metadata: {
            actorId: userId,
            correlationId: context.correlationId,
            causationId: context.causationId ?? null,
            occurredAt: context.now.toISOString(),
            schemaVersion: SCHEMA_VERSION,
          },
        },
      ],
      'no_stream',
    );
  } catch (error) {
    if (error instanceof WrongExpectedVersion) throw conflict('username_taken', 'that username is taken');
    throw error;
  }
  const passwordHash = await hashPassword(input.password, deps.scryptLogN);
  const result = await handleCommand(
    deps,
    userStream(userId),
    userDecider,
    { type: 'RegisterUser', data: { userId, username: input.username, email: input.email, passwordHash } },
    { ...context, actorId: userId },
  );
  return { user: result.state as RegisteredUser, position: result.position ?? 0 };
}

export async function changeUserRole(
  deps: CommandDeps,
  input: { userId: string; role: GlobalRole },
  context: CommandContext,
): Promise<{ user: RegisteredUser; position: number | null }> {
  const result = await handleCommand(
    deps,
    userStream(input.userId),
    userDecider,
    { type: 'ChangeUserRole', data: { userId: input.userId, role: input.role, by: context.actorId } },
    context,
  );
  return { user: result.state as RegisteredUser, position: result.position };
}

/**
 * The write model's view of a user: from the log, not a read model, so a user
 * registered or demoted in this process counts at once; a change made by
 * another process counts once this process has seen it (one polling interval).
 */
export async function loadUser(deps: CommandDeps, userId: string): Promise<RegisteredUser | null> {
  const { state } = await deps.aggregates.current(userStream(userId), userDecider);
  return state.status === 'registered' ? state : null;
}

export async function findUserByUsername(deps: CommandDeps, username: string): Promise<RegisteredUser | null> {
  const [reserved] = await deps.store.readStream(usernameStream(username), { maxCount: 1 });
  if (!reserved) return null;
  return loadUser(deps, (reserved.data as { userId: string }).userId);
}
