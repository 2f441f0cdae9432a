import type { Activity, Outcome } from './types';
import { clock, duration, Empty } from './ui';

const OUTCOME: Record<Outcome, string> = {
  ok: 'done',
  error: 'tool error',
  denied: 'denied',
  timeout: 'timed out',
  cancelled: 'cancelled',
  failed: 'failed',
};

/** The hub's bare "default" reads like a missing value in a table; its other sources read fine as they are. */
function decider(entry: Activity): string {
  return entry.decidedBy === 'default' ? 'default policy' : entry.decidedBy;
}

/** The most recent calls, newest first, as the hub reports them (at most 100). */
export function ActivityView(props: { activity: Activity[] }) {
  if (props.activity.length === 0) {
    return (
      <Empty>
        <p>No tool calls yet.</p>
        <p class="hint">Every call an AI client makes through Inlet is listed here with who decided and how it ended.</p>
      </Empty>
    );
  }
  return (
    // A table from 640 px up; narrower, each call is a small block of its own (style.css), so
    // nothing wraps letter by letter and the duration is never cut off.
    <div class="table-wrap" tabIndex={0} role="region" aria-label="Recent activity table">
      <table class="activity">
        <thead>
          <tr>
            <th scope="col">Time</th>
            <th scope="col">Caller</th>
            <th scope="col">Tool</th>
            <th scope="col">Decided by</th>
            <th scope="col">Outcome</th>
            <th scope="col" class="num">
              Duration
            </th>
          </tr>
        </thead>
        <tbody>
          {props.activity.map((entry) => (
            <tr key={entry.id}>
              <td class="time">
                <time dateTime={entry.time}>{clock(entry.time)}</time>
              </td>
              <td class="caller">{entry.caller}</td>
              <td class="tool">
                <code>
                  {entry.provider} / {entry.tool}
                </code>
              </td>
              <td class="decided">
                <span class={`badge policy-${entry.decision}`}>{entry.decision}</span> {decider(entry)}
              </td>
              <td class="outcome">
                <span class={`badge outcome-${entry.outcome}`}>{OUTCOME[entry.outcome]}</span>
              </td>
              <td class="num duration" title={`${entry.durationMs} ms`}>
                {duration(entry.durationMs)}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
