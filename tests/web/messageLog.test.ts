import { describe, expect, it } from 'vitest';
import type { ChatMessage } from '../../web/src/api/types.js';
import { emptyLog, messageLogReducer, newestSeq, oldestSeq, type MessageLog, type MessageLogAction } from '../../web/src/chat/messageLog.js';

const message = (seq: number, content = `m${seq}`): ChatMessage => ({
  id: `id-${seq}`,
  thread: 't1',
  author: { id: 'u1', username: 'alice' },
  content,
  created_at: new Date(Date.UTC(2025, 0, 1, 0, 0, seq)).toISOString(),
  seq,
});

const run = (...actions: MessageLogAction[]): MessageLog => actions.reduce(messageLogReducer, emptyLog);
const seqs = (log: MessageLog) => log.messages.map((m) => m.seq);

describe('message log', () => {
  it('keeps one copy per seq, in seq order, whatever the arrival order', () => {
    const log = run(
      { type: 'page_loaded', page: { results: [message(5), message(6)], has_more: true } },
      { type: 'received', message: message(8) },
      { type: 'received', message: message(7) },
      { type: 'received', message: message(8) },
      { type: 'page_loaded', page: { results: [message(2), message(3)], has_more: false } },
    );
    expect(seqs(log)).toEqual([2, 3, 5, 6, 7, 8]);
    expect(oldestSeq(log)).toBe(2);
    expect(newestSeq(log)).toBe(8);
  });

  it('takes has_more from the first page and from older pages, not from pages below the top', () => {
    const first = run({ type: 'page_loaded', page: { results: [message(10)], has_more: true } });
    expect(first.hasMore).toBe(true);
    const overlapping = messageLogReducer(first, { type: 'page_loaded', page: { results: [message(11)], has_more: false } });
    expect(overlapping.hasMore).toBe(true);
    const older = messageLogReducer(first, { type: 'page_loaded', page: { results: [message(4)], has_more: false } });
    expect(older.hasMore).toBe(false);
  });

  it('shows a send as pending, then once as confirmed even if the live frame came first', () => {
    const sending = run(
      { type: 'page_loaded', page: { results: [message(1)], has_more: false } },
      { type: 'send_started', clientMessageId: 'c1', content: 'hello' },
    );
    expect(sending.pending).toEqual([{ clientMessageId: 'c1', content: 'hello', status: 'sending', error: null }]);
    const confirmed = [
      { type: 'received', message: message(2, 'hello') },
      { type: 'send_confirmed', clientMessageId: 'c1', message: message(2, 'hello') },
    ].reduce((log, action) => messageLogReducer(log, action as MessageLogAction), sending);
    expect(confirmed.pending).toEqual([]);
    expect(confirmed.messages.map((m) => m.content)).toEqual(['m1', 'hello']);
  });

  it('keeps a failed send for a retry under the same client_message_id, and drops it when discarded', () => {
    const failed = run(
      { type: 'send_started', clientMessageId: 'c1', content: 'hello' },
      { type: 'send_failed', clientMessageId: 'c1', error: 'offline' },
    );
    expect(failed.pending).toEqual([{ clientMessageId: 'c1', content: 'hello', status: 'failed', error: 'offline' }]);
    const retried = messageLogReducer(failed, { type: 'send_started', clientMessageId: 'c1', content: 'hello' });
    expect(retried.pending).toHaveLength(1);
    expect(retried.pending[0]?.status).toBe('sending');
    expect(messageLogReducer(failed, { type: 'send_discarded', clientMessageId: 'c1' }).pending).toEqual([]);
  });

  it('hides a redacted message and keeps it hidden when an older copy arrives again', () => {
    const redacted = run(
      { type: 'page_loaded', page: { results: [message(1, 'secret'), message(2)], has_more: false } },
      { type: 'redacted', messageId: 'id-1' },
    );
    expect(redacted.messages[0]).toMatchObject({ seq: 1, content: null, redacted: true });
    const replayed = messageLogReducer(redacted, { type: 'page_loaded', page: { results: [message(1, 'secret')], has_more: false } });
    expect(replayed.messages[0]).toMatchObject({ content: null, redacted: true });
  });
});
