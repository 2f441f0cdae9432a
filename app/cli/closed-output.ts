/**
 * Keeps a command running when its stdout or stderr goes away. `inlet serve 2>&1 | tee hub.log`
 * and a Ctrl-C: the terminal sends SIGINT to the whole process group, tee ends first, and the
 * hub's next line ("SIGINT received; shutting down") meets a pipe nobody reads (EPIPE; a closed
 * terminal gives EIO). Node reports that as an 'error' event on the stream, which unhandled ends
 * the process at once: before the shutdown removes hub.json and control.sock, and before calls
 * in flight get their answer. A line that cannot be written has nobody left to read it, so it is
 * dropped; everything else, the shutdown above all, carries on.
 */
export function tolerateClosedOutput(streams: NodeJS.WritableStream[] = [process.stdout, process.stderr]): void {
  for (const stream of streams) {
    if (guarded.has(stream)) continue;
    guarded.add(stream);
    stream.on('error', () => undefined);
  }
}

const guarded = new WeakSet<NodeJS.WritableStream>();
