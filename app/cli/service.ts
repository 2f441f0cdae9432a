import { homedir } from 'node:os';
import { HubError } from '../core/base/errors.js';
import { cliLauncher, installLayout } from '../core/base/install-layout.js';
import { inletCommand } from '../core/base/version.js';
import { nonDefaultDataDir } from '../os/data-dir.js';
import { installService, planService, serviceStatus, uninstallService, type ServiceOptions } from '../os/login-service.js';
import { parse } from './args.js';
import { createContext } from './context.js';

export const serviceHelp = `Usage: inlet service install|status|uninstall [--data-dir DIR]

Starts \`inlet serve\` at login on a machine without the tray app (which starts itself):
  Linux    a systemd user unit (~/.config/systemd/user/inlet.service), logs in journalctl
  macOS    a launchd agent (~/Library/LaunchAgents/com.inlet.serve.plist)
  Windows  a scheduled task at logon ("Inlet Hub")
install also starts it now; uninstall stops it. A data dir other than the default (--data-dir,
INLET_HOME) is written into the service, which starts without this shell's environment.
Run only one hub per data dir: the tray app and the service would refuse each other.`;

export async function service(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, {}, true);
  const action = positionals[0];
  if (values.help || !action) return (console.log(serviceHelp), values.help ? 0 : 2);
  const options: ServiceOptions = {
    platform: process.platform,
    home: homedir(),
    env: process.env,
    inlet: inletCommand(),
    launcher: cliLauncher(installLayout()),
    // A data dir other than the default (from --data-dir or INLET_HOME) goes into the entry:
    // the service starts without this shell's environment.
    dataDir: nonDefaultDataDir(createContext(values['data-dir']).dataDir),
  };
  const plan = planService(options);
  const where = plan.file?.path ?? 'the scheduled task "Inlet Hub"';
  if (action === 'install') {
    await installService(options);
    process.stdout.write(`Installed ${where}: inlet serve runs now and at every login.\nIts output: ${plan.logs}.\n`);
    return 0;
  }
  if (action === 'uninstall') {
    const removed = await uninstallService(options);
    process.stdout.write(removed ? `Stopped and removed ${where}.\n` : 'Nothing to remove: no service is installed.\n');
    return 0;
  }
  if (action === 'status') {
    const status = await serviceStatus(options);
    if (!status.installed) process.stdout.write('not installed\n');
    else process.stdout.write(`installed (${status.where}), ${status.running ? 'running' : 'not running'}\n`);
    return status.installed ? 0 : 3;
  }
  throw new HubError('USAGE', `Unknown service action "${action}": use install, status or uninstall.`);
}
