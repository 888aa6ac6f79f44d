import { describe, expect, it } from 'vitest';
import { fold } from '../../src/domain/decider.js';
import {
  userDecider,
  usernameStream,
  validatePassword,
  type GlobalRole,
  type UserCommand,
  type UserEvent,
} from '../../src/domain/user.js';
import { given } from './givenWhenThen.js';

const userId = '6f1c2a44-5b1e-4d3a-9c61-0a4f3e2b1d10';
const admin = '0b7e9f3c-1d2a-4c5b-8e6f-7a8b9c0d1e2f';

const register = (username = 'alice', email = 'alice@example.com'): UserCommand => ({
  type: 'RegisterUser',
  data: { userId, username, email, passwordHash: 'hash' },
});
const changeRole = (role: GlobalRole): UserCommand => ({ type: 'ChangeUserRole', data: { userId, role, by: admin } });
const registered: UserEvent = {
  type: 'UserRegistered',
  data: { userId, username: 'alice', email: 'alice@example.com', passwordHash: 'hash', role: 'member' },
};
const roleChanged = (role: GlobalRole): UserEvent => ({ type: 'UserRoleChanged', data: { userId, role, by: admin } });
const registeredAs = (username: string, email = 'alice@example.com'): UserEvent[] => [
  { type: 'UserRegistered', data: { userId, username, email, passwordHash: 'hash', role: 'member' } },
];

describe('user decider', () => {
  describe('when no user is registered', () => {
    it('registers the user as a plain member', () => {
      given(userDecider).when(register()).then([registered]);
    });

    it.each([
      ['3 characters', 'abc'],
      ['32 characters', 'a'.repeat(32)],
      ['every allowed character', 'Al_ce.9-Z'],
    ])('accepts a username of %s', (_, username) => {
      given(userDecider).when(register(username)).then(registeredAs(username));
    });

    it.each([
      ['2 characters', 'ab'],
      ['33 characters', 'a'.repeat(33)],
      ['a space', 'ali ce'],
      ['an @', 'ali@ce'],
      ['a slash', 'ali/ce'],
      ['an accented letter', 'émile'],
      ['an emoji', 'ali😀'],
      ['a trailing newline', 'alice\n'],
      ['nothing', ''],
    ])('rejects a username of %s', (_, username) => {
      given(userDecider).when(register(username)).thenThrows('validation', 'invalid_username');
    });

    it.each(['alice@example.com', 'a.b+tag@mail.example.org'])('accepts the email %s', (email) => {
      given(userDecider).when(register('alice', email)).then(registeredAs('alice', email));
    });

    it.each([
      ['no @', 'alice.example.com'],
      ['no dot in the domain', 'alice@example'],
      ['a space', 'ali ce@example.com'],
      ['two @', 'alice@@example.com'],
      ['an empty local part', '@example.com'],
      ['a one-letter top-level domain', 'alice@example.c'],
      ['more than 254 characters', `alice@${'a'.repeat(250)}.com`],
    ])('rejects an email with %s', (_, email) => {
      given(userDecider).when(register('alice', email)).thenThrows('validation', 'invalid_email');
    });

    it('cannot change the role of an unknown user', () => {
      given(userDecider).when(changeRole('moderator')).thenThrows('not_found', 'user_not_found');
    });
  });

  describe('when the user is registered', () => {
    it('refuses to register the same user twice', () => {
      given(userDecider, [registered]).when(register()).thenThrows('conflict', 'user_exists');
    });

    it('changes the role', () => {
      const state = given(userDecider, [registered]).when(changeRole('moderator')).then([roleChanged('moderator')]);
      expect(state).toMatchObject({ status: 'registered', role: 'moderator' });
    });

    it('rejects a role that does not exist', () => {
      const root: string = 'root';
      given(userDecider, [registered])
        .when(changeRole(root as GlobalRole))
        .thenThrows('validation', 'invalid_role');
    });

    it('appends nothing when the role is already the one asked for', () => {
      given(userDecider, [registered]).when(changeRole('member')).then([]);
    });
  });

  describe('when the user was promoted to admin', () => {
    const history = [registered, roleChanged('admin')];

    it('folds to the latest role', () => {
      expect(fold(userDecider, history)).toMatchObject({ status: 'registered', username: 'alice', role: 'admin' });
    });

    it('appends nothing for the same role and demotes to another', () => {
      given(userDecider, history).when(changeRole('admin')).then([]);
      given(userDecider, history).when(changeRole('member')).then([roleChanged('member')]);
    });
  });

  it('decides the same events for the same command and state', () => {
    const state = fold(userDecider, [registered]);
    expect(userDecider.decide(changeRole('admin'), state)).toStrictEqual(userDecider.decide(changeRole('admin'), state));
  });

  it('reserves usernames case-insensitively', () => {
    expect(usernameStream('Alice')).toBe(usernameStream('alice'));
  });
});

describe('validatePassword', () => {
  it.each([
    ['8 characters', 'p'.repeat(8)],
    ['128 characters', 'p'.repeat(128)],
    ['8 emoji (16 UTF-16 units)', '🔑'.repeat(8)],
    ['128 emoji (256 UTF-16 units)', '🔑'.repeat(128)],
  ])('accepts %s', (_, password) => {
    expect(() => validatePassword(password)).not.toThrow();
  });

  it.each([
    ['7 characters', 'p'.repeat(7)],
    ['129 characters', 'p'.repeat(129)],
    ['4 emoji, although 8 UTF-16 units', '🔑'.repeat(4)],
    ['129 emoji', '🔑'.repeat(129)],
    ['nothing', ''],
  ])('rejects %s', (_, password) => {
    expect(() => validatePassword(password)).toThrow(expect.objectContaining({ code: 'validation', reason: 'invalid_password' }));
  });
});
