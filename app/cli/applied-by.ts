/**
 * The line a command that changes the hub's state ends with (on stderr, so its stdout stays the
 * result): who made the change. While a hub runs it does (docs/decisions.md, One writer of the
 * hub's state); with none running the command wrote the file itself, and says so.
 */
export type AppliedBy = { hub: true; pid: number } | { hub: false; file: string };

export function appliedBy(where: AppliedBy): string {
  return where.hub
    ? `Applied by the running hub (pid ${where.pid}).\n`
    : `No hub is running: wrote ${where.file} directly; the hub applies it when it starts.\n`;
}
