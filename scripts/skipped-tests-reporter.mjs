// A node:test reporter that writes one JSON line per skipped or todo test (suites included),
// for scripts/run-tests.mjs to judge after the run. Node calls it with the stream of test
// events of every file; whatever it yields goes to its --test-reporter-destination.
export default async function* skippedTests(source) {
  for await (const event of source) {
    if (event.type !== 'test:pass' && event.type !== 'test:fail') continue;
    const { name, file, skip, todo } = event.data;
    if (skip === undefined && todo === undefined) continue;
    const kind = skip !== undefined ? 'skip' : 'todo';
    const reason = typeof (skip ?? todo) === 'string' ? (skip ?? todo) : '';
    yield JSON.stringify({ kind, name, file: file ?? '', reason }) + '\n';
  }
}
