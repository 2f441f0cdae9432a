import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ROOT } from './helpers/hub-process.js';

/**
 * The release workflow cannot run here (it needs Windows and macOS runners), and installers
 * cannot be built offline; what can be checked is that the workflow and electron-builder.yml
 * parse and agree: every installer the issue asks for is built on an OS that can build it, from
 * files that exist. test/packaging.test.ts builds the unpacked app from the same config.
 */
const yaml = createRequire(import.meta.url)('js-yaml') as { load(text: string): unknown };
const load = <T>(file: string) => yaml.load(readFileSync(join(ROOT, file), 'utf8')) as T;

interface Workflow {
  on: { push: { tags: string[] } };
  jobs: Record<string, { 'runs-on': string; needs?: string; strategy?: { matrix: { include: Array<{ os: string; targets: string }> } }; steps: Array<{ run?: string; uses?: string; env?: Record<string, string> }> }>;
}
interface BuilderConfig {
  files: string[];
  asarUnpack: string[];
  extraResources: Array<{ from: string; to: string }>;
  artifactName: string;
  publish: { provider: string };
  win: { target: Array<{ target: string; arch: string[] }>; icon: string };
  nsis: { oneClick: boolean; perMachine: boolean };
  mac: { target: Array<{ target: string; arch: string[] }>; hardenedRuntime: boolean; entitlements: string; entitlementsInherit: string; icon: string };
  linux: { target: string[]; executableName: string; icon: string };
}

describe('the release configuration', () => {
  const workflow = load<Workflow>('.github/workflows/release.yml');
  const builder = load<BuilderConfig>('electron-builder.yml');

  it('a version tag builds nsis on Windows, dmg for x64 and arm64 on macOS, AppImage and deb on Linux, then publishes', () => {
    assert.deepEqual(workflow.on.push.tags, ['v*']);
    const matrix = workflow.jobs.installers!.strategy!.matrix.include;
    assert.deepEqual(matrix.map((m) => [m.os, m.targets]), [
      ['windows-latest', '--win nsis --x64'],
      ['macos-latest', '--mac dmg --x64 --arm64'],
      ['ubuntu-latest', '--linux AppImage deb --x64'],
    ]);
    const runs = workflow.jobs.installers!.steps.map((step) => step.run ?? step.uses ?? '');
    assert.ok(runs.indexOf('npm ci') < runs.indexOf('npm run build'));
    assert.ok(runs.some((run) => /^npx electron-builder \$\{\{ matrix\.targets \}\} --publish always/.test(run)));
    assert.equal(workflow.jobs.publish!.needs, 'installers');
  });

  it('electron-builder.yml names the same installers, and every file it uses exists', () => {
    assert.deepEqual(builder.win.target, [{ target: 'nsis', arch: ['x64'] }]);
    assert.deepEqual(builder.nsis, { ...builder.nsis, oneClick: true, perMachine: false });
    assert.deepEqual(builder.mac.target, [{ target: 'dmg', arch: ['x64', 'arm64'] }]);
    assert.equal(builder.mac.hardenedRuntime, true);
    assert.deepEqual(builder.linux.target, ['AppImage', 'deb']);
    assert.match(builder.artifactName, /\$\{version\}.*\$\{arch\}/);
    assert.equal(builder.publish.provider, 'github');
    assert.ok(builder.asarUnpack.includes('node_modules/keytar/**'));
    for (const file of [builder.mac.entitlements, builder.mac.entitlementsInherit, builder.mac.icon, builder.win.icon, builder.linux.icon, ...builder.extraResources.map((r) => r.from)]) {
      assert.ok(existsSync(join(ROOT, file)), file);
    }
    // The launchers find the binary by these names (build/native-host, build/bin).
    assert.equal(builder.linux.executableName, 'inlet-app');
    assert.match(readFileSync(join(ROOT, 'build', 'native-host', 'inlet-native-host.sh'), 'utf8'), /\/inlet-app\n/);
  });
});
