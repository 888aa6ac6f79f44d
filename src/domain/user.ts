import { conflict, invalid, notFound, type Decider } from './decider.js';

export type GlobalRole = 'member' | 'moderator' | 'admin';
export const GLOBAL_ROLES: readonly GlobalRole[] = ['member', 'moderator', 'admin'];

export type UserEvent =
  | {
      type: 'UserRegistered';
      data: { userId: string; username: string; email: string; passwordHash: string; role: GlobalRole };
    }
  | { type: 'UserRoleChanged'; data: { userId: string; role: GlobalRole; by: string | null } };

/** Stream `username-{lowercased}`: appended with expected revision "no stream" so a name is taken once. */
export type UsernameEvent = { type: 'UsernameReserved'; data: { username: string; userId: string } };

export type UserCommand =
  | {
      type: 'RegisterUser';
      data: { userId: string; username: string; email: string; passwordHash: string };
    }
  | { type: 'ChangeUserRole'; data: { userId: string; role: GlobalRole; by: string | null } };

export type UserState =
  | { status: 'unknown' }
  | { status: 'registered'; userId: string; username: string; email: string; passwordHash: string; role: GlobalRole };

export const userStream = (userId: string) => `user-${userId}`;
export const usernameStream = (username: string) => `username-${username.toLowerCase()}`;

const USERNAME = /^[A-Za-z0-9_.-]{3,32}$/;
// Deliberately simple: one @, no spaces, a dot in the domain. Deliverability is not our job.
const EMAIL = /^[^\s@]{1,64}@[^\s@]+\.[^\s@]{2,}$/;

export function validateUsername(username: string): void {
  if (!USERNAME.test(username)) throw invalid('invalid_username', 'username must be 3 to 32 characters of letters, digits, _ . -');
}

export function validateEmail(email: string): void {
  if (email.length > 254 || !EMAIL.test(email)) throw invalid('invalid_email', 'email is not a valid address');
}

/** Checked on the raw password before hashing: the decider only ever sees the hash. */
export function validatePassword(password: string): void {
  const length = [...password].length;
  if (length < 8 || length > 128) throw invalid('invalid_password', 'password must be 8 to 128 characters');
}

function registerUser(command: Extract<UserCommand, { type: 'RegisterUser' }>, state: UserState): UserEvent[] {
  if (state.status !== 'unknown') throw conflict('user_exists', 'user already registered');
  const { userId, username, email, passwordHash } = command.data;
  validateUsername(username);
  validateEmail(email);
  return [{ type: 'UserRegistered', data: { userId, username, email, passwordHash, role: 'member' } }];
}

function changeUserRole(command: Extract<UserCommand, { type: 'ChangeUserRole' }>, state: UserState): UserEvent[] {
  if (state.status !== 'registered') throw notFound('user_not_found', 'no such user');
  if (!GLOBAL_ROLES.includes(command.data.role)) throw invalid('invalid_role', 'role must be member, moderator or admin');
  if (state.role === command.data.role) return [];
  return [{ type: 'UserRoleChanged', data: command.data }];
}

export const userDecider: Decider<UserState, UserCommand, UserEvent> = {
  initialState: () => ({ status: 'unknown' }),
  decide(command, state) {
    switch (command.type) {
      case 'RegisterUser':
        return registerUser(command, state);
      case 'ChangeUserRole':
        return changeUserRole(command, state);
      default: {
        const _exhaustive: never = command;
        return _exhaustive;
      }
    }
  },
  evolve(state, event) {
    switch (event.type) {
      case 'UserRegistered':
        return { status: 'registered', ...event.data };
      case 'UserRoleChanged':
        return state.status === 'registered' ? { ...state, role: event.data.role } : state;
      default:
        return state;
    }
  },
};
