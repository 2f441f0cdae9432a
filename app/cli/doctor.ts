import { describeError, isHubError } from '../core/base/errors.js';
import { findRunningHub } from '../core/discovery/hub-file.js';
import { createLogger, setLogSink } from '../core/base/log.js';
import { VERSION } from '../core/base/version.js';
import { resolveDataDir } from '../os/data-dir.js';
import { keytarProblem } from '../os/keytar-build.js';
import { selectSecretStore } from '../os/secret-store-select.js';
import { parse } from './args.js';

export const doctorHelp = `Usage: inlet doctor [--data-dir DIR]

Says how this installation is set up: the data dir, where the install secret lives (the OS
keychain, or the 0600 file and why), what keeps keytar (the keychain module) from working and
the command that fixes it, whether a hub is running, and the Node version.
Set INLET_KEYCHAIN=off to keep the secret in the file even where a keychain works.`;

/**
 * Looks without changing anything: the keychain canary runs (it cleans up after itself), but a
 * secret still in the file is reported as about to move rather than moved, and a missing
 * secret is not created. Exit 1 only when the secret store itself is broken.
 */
export async function doctor(argv: string[]): Promise<number> {
  const { values } = parse(argv, {});
  if (values.help) return (console.log(doctorHelp), 0);
  const dataDir = resolveDataDir(values['data-dir']);
  const lines = [`Inlet ${VERSION}`, `Data dir:      ${dataDir}`];
  let code = 0;

  // The store's warning would repeat on stderr what the reason line below already says.
  const restore = setLogSink(() => undefined);
  try {
    const selected = await selectSecretStore(dataDir, { log: createLogger('doctor'), migrate: false });
    const secret = await selected.store.get();
    lines.push(`Secret store:  ${selected.kind}: ${selected.store.description}`, `               ${selected.reason}`);
    lines.push(`Secret:        ${secret ? 'present' : 'not created yet (the first hub start or `inlet token create` creates it)'}`);
  } catch (error) {
    lines.push(`Secret store:  unusable: ${describeError(error)}`);
    code = 1;
  } finally {
    setLogSink(restore);
  }
  if (process.env.INLET_KEYCHAIN?.trim().toLowerCase() !== 'off') {
    const problem = await keytarProblem();
    if (problem) lines.push(`Keychain:      keytar is not usable; missing: ${problem.missing}.`, `               Fix: ${problem.fix}`);
  }

  try {
    const hub = await findRunningHub(dataDir);
    lines.push(`Hub:           running (pid ${hub.pid}, version ${hub.version}, since ${hub.startedAt}) at ${hub.urls.mcp}`);
  } catch (error) {
    // HUB_NOT_RUNNING is an answer; anything else (an unreadable hub.json) is reported, not thrown,
    // so the rest of the report still prints.
    lines.push(`Hub:           ${isHubError(error, 'HUB_NOT_RUNNING') ? 'not running' : 'unknown'} (${describeError(error)})`);
  }

  lines.push(`Node:          ${process.version} (${process.platform} ${process.arch})`);
  process.stdout.write(lines.join('\n') + '\n');
  return code;
}
