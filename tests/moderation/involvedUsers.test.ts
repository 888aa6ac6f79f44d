import { describe, expect, it } from 'vitest';
import type { DomainEvent } from '../../src/domain/events.js';
import { involvedUsers } from '../../src/moderation/involvedUsers.js';

const posted = (authorId: string): DomainEvent => ({
  type: 'MessagePosted',
  data: { threadId: 't', messageId: 'm', authorId, content: 'hi', clientMessageId: null },
});

describe('involvedUsers', () => {
  it('is the actor first, then the user the event names, each once', () => {
    expect(involvedUsers(posted('u-author'), 'u-actor')).toEqual(['u-actor', 'u-author']);
    expect(involvedUsers(posted('u-author'), 'u-author')).toEqual(['u-author']);
    expect(involvedUsers(posted('u-author'), null)).toEqual(['u-author']);
    const removed: DomainEvent = { type: 'MemberRemoved', data: { threadId: 't', userId: 'u-gone', by: 'u-mod', reason: null } };
    expect(involvedUsers(removed, 'u-mod')).toEqual(['u-mod', 'u-gone']);
  });

  it('is nobody for a username reservation, whoever made it', () => {
    expect(involvedUsers({ type: 'UsernameReserved', data: { username: 'dana', userId: 'u-dana' } }, 'u-dana')).toEqual([]);
  });
});
