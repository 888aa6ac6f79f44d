import { describe, expect, it } from 'vitest';
import { backoffDelay, chatSocketUrl, closeOutcome, parseServerFrame } from '../../web/src/chat/protocol.js';

describe('parseServerFrame', () => {
  const message = { id: 'm1', thread: 't1', author: { id: 'u1', username: 'alice', email: 'a@x.io' }, content: 'hi', created_at: '2025-01-01T00:00:00Z', seq: 7 };

  it('reads every frame type of the protocol', () => {
    expect(parseServerFrame(JSON.stringify({ type: 'chat_message', payload: message }))).toEqual({ type: 'chat_message', payload: message });
    expect(parseServerFrame('{"type":"pong"}')).toEqual({ type: 'pong' });
    expect(parseServerFrame('{"type":"chat_typing","payload":{"user_id":"u2","is_typing":true}}')).toEqual({
      type: 'chat_typing',
      payload: { user_id: 'u2', is_typing: true },
    });
    expect(parseServerFrame('{"type":"ready","payload":{"last_seq":12}}')).toEqual({ type: 'ready', payload: { last_seq: 12 } });
    expect(parseServerFrame('{"type":"message_redacted","payload":{"id":"m1","thread":"t1","seq":7}}')).toEqual({
      type: 'message_redacted',
      payload: { id: 'm1', thread: 't1', seq: 7 },
    });
    expect(parseServerFrame('{"type":"presence","payload":{"users":[{"id":"u1","username":"alice"}]}}')).toEqual({
      type: 'presence',
      payload: { users: [{ id: 'u1', username: 'alice' }] },
    });
    expect(parseServerFrame('{"type":"presence_left","payload":{"user":{"id":"u1","username":"alice"}}}')?.type).toBe('presence_left');
    expect(parseServerFrame('{"type":"member_removed","payload":{"user_id":"u3"}}')).toEqual({ type: 'member_removed', payload: { user_id: 'u3' } });
    expect(parseServerFrame('{"type":"error","payload":{"code":"rate_limited","retry_after_ms":250}}')).toEqual({
      type: 'error',
      payload: { code: 'rate_limited', message: undefined, retry_after_ms: 250 },
    });
  });

  it('ignores what is not a well-formed frame of a known type', () => {
    expect(parseServerFrame('not json')).toBeNull();
    expect(parseServerFrame('[1,2]')).toBeNull();
    expect(parseServerFrame('{"type":"mystery"}')).toBeNull();
    expect(parseServerFrame('{"type":"chat_message","payload":{"id":"m1"}}')).toBeNull();
    expect(parseServerFrame(new Uint8Array([123, 125]))).toBeNull();
  });

  it('treats a missing is_typing as not typing', () => {
    expect(parseServerFrame('{"type":"chat_typing","payload":{"user_id":"u2"}}')).toEqual({
      type: 'chat_typing',
      payload: { user_id: 'u2', is_typing: false },
    });
  });
});

describe('closeOutcome', () => {
  it('ends the connection on auth, membership, unknown thread and a normal close', () => {
    expect(closeOutcome(4401)).toBe('unauthorized');
    expect(closeOutcome(4403)).toBe('forbidden');
    expect(closeOutcome(4404)).toBe('not_found');
    expect(closeOutcome(1000)).toBe('normal');
  });

  it('reconnects after a restart, a drop, policy, size or overload closes and a dead heartbeat', () => {
    for (const code of [1001, 1006, 1008, 1009, 1011, 1013, 4000]) expect(closeOutcome(code)).toBeNull();
  });
});

describe('backoffDelay', () => {
  const options = { baseMs: 1000, maxMs: 30_000 };

  it('doubles with each attempt up to the cap', () => {
    const full = [1, 2, 3, 4, 5, 6].map((attempt) => backoffDelay(attempt, options, () => 1));
    expect(full).toEqual([1000, 2000, 4000, 8000, 16_000, 30_000]);
  });

  it('jitters between half and all of the exponential delay', () => {
    expect(backoffDelay(3, options, () => 0)).toBe(2000);
    expect(backoffDelay(3, options, () => 0.5)).toBe(3000);
  });
});

describe('chatSocketUrl', () => {
  it('uses ws on http and wss on https, with the token and the resume point', () => {
    expect(chatSocketUrl('http://127.0.0.1:8000', 'abc', 'tok.en', 41)).toBe('ws://127.0.0.1:8000/ws/chat/abc/?token=tok.en&after_seq=41');
    expect(chatSocketUrl('https://chat.example', 'a b', 't', null)).toBe('wss://chat.example/ws/chat/a%20b/?token=t');
  });
});
