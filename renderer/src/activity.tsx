import type { Activity, Outcome } from './types';
import { clock, Empty } from './ui';

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
    // Scrolls sideways on a narrow window rather than squeezing the columns; focusable for the keyboard.
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
              <td>
                <time dateTime={entry.time}>{clock(entry.time)}</time>
              </td>
              <td>{entry.caller}</td>
              <td>
                <code>
                  {entry.provider} / {entry.tool}
                </code>
              </td>
              <td>
                <span class={`badge policy-${entry.decision}`}>{entry.decision}</span> {decider(entry)}
              </td>
              <td>
                <span class={`badge outcome-${entry.outcome}`}>{OUTCOME[entry.outcome]}</span>
              </td>
              <td class="num">{entry.durationMs} ms</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
