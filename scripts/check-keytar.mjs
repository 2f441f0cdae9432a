// Run by `npm install` (after the build, in the prepare script) and by .ci/run. keytar, the
// optional dependency that keeps the install secret in the OS keychain, builds from source; when
// that fails npm drops it without a word. This says so: what is missing and the one command that
// fixes it. Inlet works without keytar (the secret goes into a 0600 file), so this only warns,
// unless --require is given (CI): then a keytar that does not load fails the run here.
import { keytarProblem } from '../dist/app/os/keytar-build.js';

const problem = await keytarProblem();
if (problem) {
  const required = process.argv.includes('--require');
  process.stderr.write(
    [
      '',
      `inlet: ${required ? 'ERROR' : 'warning'}: keytar (optional: it keeps the install secret in the OS keychain) is not usable.`,
      `  Missing: ${problem.missing}.`,
      `  Fix:     ${problem.fix}`,
      required ? '' : '  Until then Inlet keeps the install secret in a 0600 file in its data dir; `inlet doctor` says so too.',
      '',
    ].join('\n'),
  );
  if (required) process.exit(1);
}
