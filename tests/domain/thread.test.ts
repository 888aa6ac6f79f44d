import { describe, expect, it } from 'vitest';
import { fold } from '../../src/domain/decider.js';
import {
  threadDecider,
  type ThreadCommand,
  type ThreadEvent,
  type ThreadRole,
  type ThreadState,
  type Visibility,
} from '../../src/domain/thread.js';
import { given } from './givenWhenThen.js';

const threadId = '3d0f6a52-8c1b-4e7a-9f20-5b6c7d8e9f01';
const owner = 'owner-ann';
const mod = 'mod-max';
const bob = 'member-bob';
const carol = 'member-carol';
const stranger = 'stranger-sam';
const globalMod = 'global-gil';
const messageId = 'a1b2c3d4-0000-4000-8000-000000000001';
const clientId = '9e8d7c6b-5a49-4382-a1b0-c9d8e7f6a5b4';

const created = (visibility: Visibility = 'public', title = 'General'): ThreadEvent[] => [
  { type: 'ThreadCreated', data: { threadId, title, visibility, createdBy: owner } },
  { type: 'MemberJoined', data: { threadId, userId: owner, role: 'owner', invitedBy: null } },
];
const joined = (userId: string, role: ThreadRole = 'member', invitedBy: string | null = null): ThreadEvent => ({
  type: 'MemberJoined',
  data: { threadId, userId, role, invitedBy },
});
const left = (userId: string): ThreadEvent => ({ type: 'MemberLeft', data: { threadId, userId } });
const removed = (userId: string, by: string, reason: string | null = null): ThreadEvent => ({
  type: 'MemberRemoved',
  data: { threadId, userId, by, reason },
});
const roleChanged = (userId: string, role: ThreadRole, by = owner): ThreadEvent => ({
  type: 'MemberRoleChanged',
  data: { threadId, userId, role, by },
});
const posted = (authorId: string, content: string, clientMessageId: string | null = null, id = messageId): ThreadEvent => ({
  type: 'MessagePosted',
  data: { threadId, messageId: id, authorId, content, clientMessageId },
});
const redacted = (by: string, reason: string | null = null): ThreadEvent => ({
  type: 'MessageRedacted',
  data: { threadId, messageId, by, reason },
});

const create = (title: string, visibility: Visibility = 'public'): ThreadCommand => ({
  type: 'CreateThread',
  data: { threadId, title, visibility, createdBy: owner },
});
const join = (userId: string): ThreadCommand => ({ type: 'JoinThread', data: { threadId, userId } });
const leave = (userId: string): ThreadCommand => ({ type: 'LeaveThread', data: { threadId, userId } });
const invite = (userId: string, by: string): ThreadCommand => ({ type: 'InviteMember', data: { threadId, userId, by } });
const remove = (userId: string, by: string, reason: string | null = null): ThreadCommand => ({
  type: 'RemoveMember',
  data: { threadId, userId, by, reason },
});
const changeRole = (userId: string, role: ThreadRole, by = owner): ThreadCommand => ({
  type: 'ChangeMemberRole',
  data: { threadId, userId, role, by },
});
const post = (authorId: string, content: string, clientMessageId: string | null = null, id = messageId): ThreadCommand => ({
  type: 'PostMessage',
  data: { threadId, messageId: id, authorId, content, clientMessageId },
});
const redact = (by: string, byGlobalModerator = false, reason: string | null = null): ThreadCommand => ({
  type: 'RedactMessage',
  data: { threadId, messageId, by, reason, byGlobalModerator },
});

const activeState = (state: ThreadState) => {
  if (state.status !== 'active') throw new Error(`expected an active thread, got ${state.status}`);
  return state;
};

/** A public thread with an owner, a thread moderator and two plain members. */
const staffed = (visibility: Visibility = 'public') => [...created(visibility), joined(mod, 'moderator'), joined(bob), joined(carol)];

describe('thread decider', () => {
  describe('when no thread exists', () => {
    it('creates it and makes the creator its owner', () => {
      given(threadDecider).when(create('General')).then(created());
    });

    it('creates a private thread', () => {
      given(threadDecider).when(create('General', 'private')).then(created('private'));
    });

    it('trims the title', () => {
      given(threadDecider).when(create('  General \n')).then(created());
    });

    it.each([
      ['200 characters', 'a'.repeat(200)],
      ['200 emoji, each one character', '🧵'.repeat(200)],
      ['200 characters once trimmed', `  ${'a'.repeat(200)}  `],
    ])('accepts a title of %s', (_, title) => {
      given(threadDecider).when(create(title)).then(created('public', title.trim()));
    });

    it.each([
      ['201 characters', 'a'.repeat(201)],
      ['201 emoji', '🧵'.repeat(201)],
      ['nothing', ''],
      ['only blanks', ' \t\n '],
    ])('rejects a title of %s', (_, title) => {
      given(threadDecider).when(create(title)).thenThrows('validation', 'invalid_title');
    });

    it('rejects an unknown visibility', () => {
      const secret: string = 'secret';
      given(threadDecider)
        .when(create('General', secret as Visibility))
        .thenThrows('validation', 'invalid_visibility');
    });

    it.each<[string, ThreadCommand]>([
      ['joined', join(bob)],
      ['left', leave(bob)],
      ['posted to', post(bob, 'hi')],
      ['invited to', invite(bob, owner)],
    ])('cannot be %s', (_, command) => {
      given(threadDecider).when(command).thenThrows('not_found', 'thread_not_found');
    });
  });

  describe('when the thread exists', () => {
    it('cannot be created again', () => {
      given(threadDecider, created()).when(create('General')).thenThrows('conflict', 'thread_exists');
    });
  });

  describe('when the thread is public', () => {
    it('lets anyone join as a member', () => {
      const state = activeState(given(threadDecider, created()).when(join(bob)).then([joined(bob)]));
      expect(state.members.get(bob)).toBe('member');
    });

    it('appends nothing when a member joins again', () => {
      given(threadDecider, [...created(), joined(bob)]).when(join(bob)).then([]);
    });

    it('forbids a non-member to leave', () => {
      given(threadDecider, created()).when(leave(stranger)).thenThrows('forbidden', 'not_a_member');
    });

    it('forbids a non-member to post', () => {
      given(threadDecider, created()).when(post(stranger, 'hi')).thenThrows('forbidden', 'not_a_member');
    });
  });

  describe('when the thread is private', () => {
    const history = staffed('private');

    it('cannot be joined without an invitation, as if it did not exist', () => {
      given(threadDecider, history).when(join(stranger)).thenThrows('not_found', 'thread_not_found');
    });

    it.each<[string, ThreadCommand]>([
      ['leave it', leave(stranger)],
      ['post to it', post(stranger, 'hi')],
      ['invite to it', invite(carol, stranger)],
      ['remove from it', remove(bob, stranger)],
      ['change roles in it', changeRole(bob, 'moderator', stranger)],
    ])('is invisible to a non-member trying to %s', (_, command) => {
      given(threadDecider, history).when(command).thenThrows('not_found', 'thread_not_found');
    });

    it('lets the owner invite, after which the guest is a member who may post', () => {
      const state = activeState(given(threadDecider, history).when(invite(stranger, owner)).then([joined(stranger, 'member', owner)]));
      expect(state.members.get(stranger)).toBe('member');
      given(threadDecider, [...history, joined(stranger, 'member', owner)])
        .when(post(stranger, 'thanks'))
        .then([posted(stranger, 'thanks')]);
    });

    it('appends nothing when an invited member joins', () => {
      given(threadDecider, [...history, joined(stranger, 'member', owner)]).when(join(stranger)).then([]);
    });
  });

  describe('inviting', () => {
    it('is allowed to a thread moderator', () => {
      given(threadDecider, staffed()).when(invite(stranger, mod)).then([joined(stranger, 'member', mod)]);
    });

    it('is forbidden to a plain member', () => {
      given(threadDecider, staffed()).when(invite(stranger, bob)).thenThrows('forbidden', 'not_a_thread_moderator');
    });

    it('appends nothing for an existing member', () => {
      given(threadDecider, staffed()).when(invite(bob, owner)).then([]);
    });
  });

  describe('leaving', () => {
    it('lets a member leave', () => {
      const state = activeState(given(threadDecider, staffed()).when(leave(bob)).then([left(bob)]));
      expect(state.members.has(bob)).toBe(false);
    });

    it('refuses to let the last owner leave', () => {
      given(threadDecider, staffed()).when(leave(owner)).thenThrows('conflict', 'last_owner');
    });

    describe('when the thread has two owners', () => {
      it('lets one owner leave', () => {
        given(threadDecider, [...staffed(), roleChanged(mod, 'owner')]).when(leave(owner)).then([left(owner)]);
      });
    });

    describe('when the member left', () => {
      it('forbids them to post', () => {
        given(threadDecider, [...staffed(), left(bob)]).when(post(bob, 'still here?')).thenThrows('forbidden', 'not_a_member');
      });
    });
  });

  describe('removing a member', () => {
    it.each([
      ['the owner removes a member', bob, owner],
      ['the owner removes a moderator', mod, owner],
      ['a moderator removes a member', bob, mod],
    ])('is allowed when %s', (_, target, by) => {
      const state = activeState(given(threadDecider, staffed()).when(remove(target, by, 'spam')).then([removed(target, by, 'spam')]));
      expect(state.members.has(target)).toBe(false);
    });

    it('is allowed between owners', () => {
      given(threadDecider, [...staffed(), roleChanged(mod, 'owner')]).when(remove(mod, owner)).then([removed(mod, owner)]);
    });

    it.each([
      ['an owner', owner],
      ['another moderator', 'mod-mia'],
    ])('is forbidden to a moderator when the target is %s', (_, target) => {
      given(threadDecider, [...staffed(), joined('mod-mia', 'moderator')])
        .when(remove(target, mod))
        .thenThrows('forbidden', 'outranked');
    });

    it('is forbidden to a plain member', () => {
      given(threadDecider, staffed()).when(remove(carol, bob)).thenThrows('forbidden', 'not_a_thread_moderator');
    });

    it.each([
      ['the owner', owner],
      ['a moderator', mod],
    ])('is refused to %s removing themselves', (_, who) => {
      given(threadDecider, staffed()).when(remove(who, who)).thenThrows('conflict', 'remove_self');
    });

    it('reports a non-member as not found', () => {
      given(threadDecider, staffed()).when(remove(stranger, owner)).thenThrows('not_found', 'member_not_found');
    });

    describe('when the member was removed', () => {
      it('forbids them to post', () => {
        given(threadDecider, [...staffed(), removed(bob, owner)]).when(post(bob, 'let me back')).thenThrows('forbidden', 'not_a_member');
      });
    });
  });

  describe('changing a member role', () => {
    it('lets the owner promote a member', () => {
      const state = activeState(given(threadDecider, staffed()).when(changeRole(bob, 'moderator')).then([roleChanged(bob, 'moderator')]));
      expect(state.members.get(bob)).toBe('moderator');
    });

    it.each([
      ['a thread moderator', mod],
      ['a plain member', carol],
    ])('is forbidden to %s', (_, by) => {
      given(threadDecider, staffed()).when(changeRole(bob, 'moderator', by)).thenThrows('forbidden', 'not_owner');
    });

    it('rejects a role that does not exist', () => {
      const admin: string = 'admin';
      given(threadDecider, staffed())
        .when(changeRole(bob, admin as ThreadRole))
        .thenThrows('validation', 'invalid_role');
    });

    it('reports a non-member as not found', () => {
      given(threadDecider, staffed()).when(changeRole(stranger, 'moderator')).thenThrows('not_found', 'member_not_found');
    });

    it('appends nothing when the role is unchanged', () => {
      given(threadDecider, staffed()).when(changeRole(mod, 'moderator')).then([]);
    });

    it('refuses to demote the last owner', () => {
      given(threadDecider, staffed()).when(changeRole(owner, 'member')).thenThrows('conflict', 'last_owner');
    });

    describe('when the thread has two owners', () => {
      const history = [...staffed(), roleChanged(mod, 'owner')];

      it('lets an owner demote themselves', () => {
        given(threadDecider, history).when(changeRole(owner, 'moderator')).then([roleChanged(owner, 'moderator')]);
      });

      it('lets an owner demote the other', () => {
        given(threadDecider, history).when(changeRole(mod, 'member')).then([roleChanged(mod, 'member')]);
      });
    });
  });

  describe('posting', () => {
    it('appends the trimmed message', () => {
      given(threadDecider, staffed()).when(post(bob, '  hello  \n')).then([posted(bob, 'hello')]);
    });

    it.each([
      ['4000 characters', 'x'.repeat(4000)],
      ['4000 emoji, each one character', '😀'.repeat(4000)],
      ['right-to-left text', 'مرحبا بالعالم'],
      ['CJK text', '你好，世界。こんにちは'],
      ['emoji sequences', 'ship it 👩‍💻🚀🇫🇷'],
      ['a single character', '.'],
    ])('keeps any Unicode, e.g. %s', (_, content) => {
      given(threadDecider, staffed()).when(post(bob, content)).then([posted(bob, content)]);
    });

    it.each([
      ['4001 characters', 'x'.repeat(4001)],
      ['4001 emoji', '😀'.repeat(4001)],
      ['nothing', ''],
      ['only blanks', '  \n\t '],
    ])('rejects content of %s', (_, content) => {
      given(threadDecider, staffed()).when(post(bob, content)).thenThrows('validation', 'invalid_content');
    });

    it('requires client_message_id to be a UUID', () => {
      given(threadDecider, staffed()).when(post(bob, 'hi', 'retry-1')).thenThrows('validation', 'invalid_client_message_id');
    });

    it('records the client_message_id', () => {
      given(threadDecider, staffed()).when(post(bob, 'hi', clientId)).then([posted(bob, 'hi', clientId)]);
    });

    describe('when a message was posted with a client_message_id', () => {
      const history = [...staffed(), posted(bob, 'hi', clientId)];
      const otherId = 'a1b2c3d4-0000-4000-8000-000000000002';

      it.each([
        ['the same id', clientId],
        ['the same id in upper case', clientId.toUpperCase()],
      ])('appends nothing when the author retries with %s', (_, retried) => {
        given(threadDecider, history).when(post(bob, 'hi', retried, otherId)).then([]);
      });

      it('appends a new message for the same client id from another author', () => {
        given(threadDecider, history).when(post(carol, 'hi', clientId, otherId)).then([posted(carol, 'hi', clientId, otherId)]);
      });

      it('appends a new message for another client id from the same author', () => {
        const another = '0f0e0d0c-0b0a-4909-8807-060504030201';
        given(threadDecider, history).when(post(bob, 'hi', another, otherId)).then([posted(bob, 'hi', another, otherId)]);
      });
    });

    it('numbers each message with its revision in the stream', () => {
      const second = 'a1b2c3d4-0000-4000-8000-000000000002';
      // Revisions: 0 ThreadCreated, 1 owner joined, 2 bob joined, 3 first message, 4 carol joined, 5 second message.
      const history = [...created(), joined(bob), posted(bob, 'one'), joined(carol)];
      const state = activeState(given(threadDecider, history).when(post(carol, 'two', null, second)).then([posted(carol, 'two', null, second)]));
      expect(state.messages.get(messageId)).toStrictEqual({ authorId: bob, seq: 3, redacted: false });
      expect(state.messages.get(second)).toStrictEqual({ authorId: carol, seq: 5, redacted: false });
      expect(state.revision).toBe(5);
    });
  });

  describe('when bob posted a message', () => {
    const history = [...staffed(), posted(bob, 'hi')];

    it.each([
      ['its author', bob, false],
      ['the thread owner', owner, false],
      ['a thread moderator', mod, false],
      ['a global moderator outside the thread', globalMod, true],
    ])('may be redacted by %s', (_, by, byGlobalModerator) => {
      const state = activeState(given(threadDecider, history).when(redact(by, byGlobalModerator, 'rude')).then([redacted(by, 'rude')]));
      expect(state.messages.get(messageId)?.redacted).toBe(true);
    });

    it('may not be redacted by another member', () => {
      given(threadDecider, history).when(redact(carol)).thenThrows('forbidden', 'not_allowed');
    });

    it('reports an unknown message as not found', () => {
      const unknown: ThreadCommand = {
        type: 'RedactMessage',
        data: { threadId, messageId: 'ffffffff-0000-4000-8000-000000000000', by: owner, reason: null, byGlobalModerator: false },
      };
      given(threadDecider, history).when(unknown).thenThrows('not_found', 'message_not_found');
    });

    describe('when the thread is private', () => {
      const privateHistory = [...staffed('private'), posted(bob, 'hi')];

      it('may be redacted by a global moderator who is not a member', () => {
        given(threadDecider, privateHistory).when(redact(globalMod, true)).then([redacted(globalMod)]);
      });

      it('does not exist for a non-member without global moderation', () => {
        given(threadDecider, privateHistory).when(redact(stranger)).thenThrows('not_found', 'thread_not_found');
      });
    });

    describe('when the message was redacted', () => {
      it('cannot be redacted again', () => {
        given(threadDecider, [...history, redacted(bob)]).when(redact(owner)).thenThrows('conflict', 'already_redacted');
      });
    });
  });

  describe('evolve', () => {
    it('folds members and roles after a sequence of changes', () => {
      const state = activeState(
        fold(threadDecider, [
          ...created('private'),
          joined(bob, 'member', owner),
          joined(carol, 'member', owner),
          roleChanged(bob, 'moderator'),
          left(carol),
          joined(stranger, 'member', bob),
          removed(stranger, bob),
          posted(bob, 'hi'),
          redacted(owner),
        ]),
      );
      expect(state).toMatchObject({ threadId, title: 'General', visibility: 'private', createdBy: owner, revision: 9 });
      expect(Object.fromEntries(state.members)).toStrictEqual({ [owner]: 'owner', [bob]: 'moderator' });
      expect(state.messages.get(messageId)).toStrictEqual({ authorId: bob, seq: 8, redacted: true });
    });

    it('ignores thread events before the thread exists', () => {
      expect(fold(threadDecider, [joined(bob)])).toStrictEqual({ status: 'none' });
    });
  });

  it('decides the same events for the same command and state, without changing the state', () => {
    const state = activeState(fold(threadDecider, staffed()));
    const members = new Map(state.members);
    const command = post(bob, '  same  ', clientId);
    expect(threadDecider.decide(command, state)).toStrictEqual(threadDecider.decide(command, state));
    expect(state.members).toStrictEqual(members);
    expect(state.messages.size).toBe(0);
    expect(fold(threadDecider, staffed())).toStrictEqual(fold(threadDecider, staffed()));
  });
});
