import { useEffect, useState } from 'preact/hooks';
import type { Connection } from './api';

const STATUS_TEXT: Record<Connection['kind'], string> = {
  connecting: 'Connecting…',
  live: 'Live',
  interrupted: 'Connection interrupted: reconnecting…',
  lost: 'Hub unreachable: reconnecting…',
  'logged-out': 'Logged out',
};

/** The small status line in the header. */
export function ConnectionStatus(props: { connection: Connection; version?: string }) {
  const { kind } = props.connection;
  return (
    <p class={`connection ${kind}`} role="status">
      {STATUS_TEXT[kind]}
      {props.version && ` · v${props.version}`}
    </p>
  );
}

/**
 * The tab's title: the number of calls waiting for a decision, so a person working in another
 * tab sees one arrive ("(2) Inlet"), and whether the panel lost its hub.
 */
export function usePageTitle(waiting: number, connection: Connection): void {
  const suffix = connection.kind === 'lost' ? ' (hub unreachable)' : connection.kind === 'logged-out' ? ' (logged out)' : '';
  const title = `${waiting > 0 ? `(${waiting}) ` : ''}Inlet${suffix}`;
  useEffect(() => {
    document.title = title;
  }, [title]);
}

/**
 * Shown across the top while the hub cannot be reached: what happened, that everything below is
 * as of the last update and cannot be acted on, and when the panel tries again.
 */
export function LostBanner(props: { connection: Extract<Connection, { kind: 'lost' }>; lastUpdate?: Date }) {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 250);
    return () => clearInterval(timer);
  }, []);
  const left = Math.max(0, Math.ceil((props.connection.retryAt - now) / 1000));
  return (
    <div class="lost-banner" role="alert">
      <p>
        <strong>Inlet cannot reach the hub.</strong>{' '}
        {props.lastUpdate ? `What you see below is from ${props.lastUpdate.toLocaleTimeString()} and may be out of date; its buttons are off until the hub is back.` : 'Nothing can be shown until it is back.'}{' '}
        Is <code>inlet serve</code> (or the tray app) still running?
      </p>
      <p class="retry">
        <span role="timer" aria-live="off">
          {left > 0 ? `Retrying in ${left} s` : 'Retrying…'}
        </span>
        <button type="button" class="secondary" onClick={props.connection.retryNow}>
          Retry now
        </button>
      </p>
    </div>
  );
}
