import { useEffect, useRef, useState, type FormEvent, type KeyboardEvent } from 'react';
import { TypingSender } from './typing.js';

const MAX_CONTENT = 4000;

interface ComposerProps {
  onSend: (content: string) => void;
  onTyping: (isTyping: boolean) => void;
}

/** The message box: Enter sends, Shift+Enter adds a line; typing frames are throttled by TypingSender. */
export function Composer({ onSend, onTyping }: ComposerProps) {
  const [text, setText] = useState('');
  const onTypingRef = useRef(onTyping);
  const sender = useRef<TypingSender | null>(null);
  useEffect(() => {
    onTypingRef.current = onTyping;
  });
  useEffect(() => {
    const typing = new TypingSender((isTyping) => onTypingRef.current(isTyping));
    sender.current = typing;
    return () => typing.stop();
  }, []);

  function submit(event?: FormEvent) {
    event?.preventDefault();
    const content = text.trim();
    if (!content) return;
    sender.current?.stop();
    onSend(content);
    setText('');
  }

  function keyDown(event: KeyboardEvent<HTMLTextAreaElement>) {
    // While an input method composes (Japanese, Chinese…), Enter confirms the composition, not the message.
    if (event.key === 'Enter' && !event.shiftKey && !event.nativeEvent.isComposing) {
      event.preventDefault();
      submit();
    }
  }

  return (
    <form className="composer" onSubmit={submit}>
      <label htmlFor="composer-input" className="sr-only">
        Message
      </label>
      <textarea
        id="composer-input"
        rows={2}
        maxLength={MAX_CONTENT}
        placeholder="Write a message (Enter to send, Shift+Enter for a new line)"
        aria-describedby="composer-hint"
        value={text}
        onChange={(event) => {
          setText(event.target.value);
          if (event.target.value.trim()) sender.current?.input();
          else sender.current?.stop();
        }}
        onKeyDown={keyDown}
        onBlur={() => sender.current?.stop()}
      />
      <span id="composer-hint" className="sr-only">
        Enter sends the message, Shift+Enter adds a new line.
      </span>
      <button type="submit" disabled={!text.trim()}>
        Send
      </button>
    </form>
  );
}
