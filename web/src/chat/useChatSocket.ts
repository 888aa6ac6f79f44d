// The browser side of ChatConnection: a WebSocket per thread, its state as
// React state, and a retry when the browser comes back online.
import { useCallback, useEffect, useRef, useState } from 'react';
import { ChatConnection, type ConnectionState, type OpenSocket } from './chatConnection.js';
import { chatSocketUrl, type ClientFrame, type ServerFrame } from './protocol.js';

const openBrowserSocket: OpenSocket = (url, events) => {
  const socket = new WebSocket(url);
  socket.onopen = () => events.onOpen();
  socket.onmessage = (event) => events.onMessage(event.data);
  socket.onclose = (event) => events.onClose(event.code, event.reason);
  return socket;
};

export interface ChatSocket {
  state: ConnectionState | null;
  retry(): void;
  send(frame: ClientFrame): boolean;
}

/**
 * Connects once `initialSeq` is known (`undefined` while history is loading;
 * `null` for an empty thread) so that the first connection resumes right after
 * the history shown, leaving no gap between the REST page and the live stream.
 */
export function useChatSocket(
  threadId: string,
  token: string | null,
  initialSeq: number | null | undefined,
  onFrame: (frame: ServerFrame) => void,
): ChatSocket {
  const [state, setState] = useState<ConnectionState | null>(null);
  const connection = useRef<ChatConnection | null>(null);
  const onFrameRef = useRef(onFrame);
  const initialSeqRef = useRef(initialSeq);
  useEffect(() => {
    onFrameRef.current = onFrame;
    initialSeqRef.current = initialSeq;
  });
  const ready = initialSeq !== undefined;

  useEffect(() => {
    if (!token || !ready) return;
    const created = new ChatConnection({
      // An empty thread resumes after 0: its first events (creation, owner joining) are not messages.
      url: (afterSeq) => chatSocketUrl(window.location.origin, threadId, token, afterSeq ?? 0),
      openSocket: openBrowserSocket,
      initialSeq: initialSeqRef.current ?? null,
      onFrame: (frame) => onFrameRef.current(frame),
      onState: setState,
    });
    connection.current = created;
    created.start();
    const online = () => {
      const { status } = created.current;
      if (status === 'offline' || status === 'reconnecting') created.retry();
    };
    window.addEventListener('online', online);
    return () => {
      window.removeEventListener('online', online);
      created.stop();
      connection.current = null;
      setState(null);
    };
  }, [threadId, token, ready]);

  const retry = useCallback(() => connection.current?.retry(), []);
  const send = useCallback((frame: ClientFrame) => connection.current?.send(frame) ?? false, []);
  return { state, retry, send };
}
