import type { ConnectionState } from './chatConnection.js';

function describe(state: ConnectionState | null): { label: string; tone: string } {
  switch (state?.status) {
    case undefined:
    case 'connecting':
      return { label: 'Connecting…', tone: 'pending' };
    case 'connected':
      return { label: 'Connected', tone: 'ok' };
    case 'reconnecting':
      return { label: `Reconnecting (attempt ${state.attempt} of ${state.maxAttempts})…`, tone: 'pending' };
    case 'offline':
      return { label: 'Offline', tone: 'bad' };
    case 'closed':
      return { label: 'Disconnected', tone: 'bad' };
  }
}

/** Live connection state; after the last automatic attempt, a Retry button. */
export function ConnectionStatus({ state, onRetry }: { state: ConnectionState | null; onRetry: () => void }) {
  const { label, tone } = describe(state);
  return (
    <div className={`connection connection--${tone}`} data-status={state?.status ?? 'connecting'}>
      <span role="status" aria-live="polite">
        <span className="connection-dot" aria-hidden="true" />
        {label}
      </span>
      {state?.status === 'offline' && (
        <button type="button" className="small" onClick={onRetry}>
          Retry
        </button>
      )}
    </div>
  );
}
