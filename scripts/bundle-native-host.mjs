// Bundles the native-messaging host into one file, dist/native-host/inlet-native-host.mjs,
// which a packaged app carries in resources/native-host/ beside its launchers (electron-builder.yml).
// One file outside app.asar: the host starts by reading it alone, with no module resolution,
// through the app's binary run as Node. The host imports node:* only, so nothing else is inlined
// but its own modules and the two app/os helpers it shares with the hub.
import { build } from 'esbuild';

await build({
  entryPoints: ['native-host/main.ts'],
  outfile: 'dist/native-host/inlet-native-host.mjs',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  packages: 'external',
  legalComments: 'none',
  logLevel: 'warning',
  banner: { js: '// Inlet native-messaging host, bundled from native-host/ by scripts/bundle-native-host.mjs.' },
});
