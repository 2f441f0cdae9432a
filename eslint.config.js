// Lint rules. The import rules keep the layering of the README's Architecture honest:
// electron (and electron-updater, which loads it) only in app/main and app/preload, the thin
// Electron shell; app/core, app/os and app/cli never reach into that shell; native-host imports
// node:*, app/shared and the node-only app/os helpers it shares with the hub; the panel
// (renderer/) imports shared types only; app/shared, read by all of them (and generated into the
// companion extension), imports nothing but app/shared.
// test/layering.test.ts lints a probe file in every folder to prove each rule holds.
import tseslint from 'typescript-eslint';

const ELECTRON_ONLY_IN_MAIN = 'Only the Electron shell (app/main, app/preload) may import electron: the hub, the CLI, the panel, the native host, tests and benchmarks run without it.';
const electronPaths = [
  { name: 'electron', message: ELECTRON_ONLY_IN_MAIN },
  { name: 'electron-updater', message: ELECTRON_ONLY_IN_MAIN },
];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'renderer/dist/**', 'clients/**/dist/**', 'release/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
    },
  },
  {
    // Everywhere but the Electron shell; the blocks below replace this rule with a stricter one.
    files: ['**/*.{ts,tsx,js,mjs,cjs}'],
    ignores: ['app/main/**', 'app/preload/**'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: electronPaths,
        patterns: [{ group: ['electron/*', 'electron-updater/*'], message: ELECTRON_ONLY_IN_MAIN }],
      }],
    },
  },
  {
    files: ['app/core/**/*.ts', 'app/os/**/*.ts', 'app/cli/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: electronPaths,
        patterns: [{ group: ['**/app/main/**', '**/main/*', 'electron/*', 'electron-updater/*'], message: 'The core, os and cli layers never reach into the Electron shell.' }],
      }],
    },
  },
  {
    files: ['renderer/**/*.ts', 'renderer/**/*.tsx'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: electronPaths.map((path) => ({ ...path, message: 'The panel is a web app; it talks to the hub over the admin API only.' })),
        patterns: [{ regex: '(^|/)app/(core|os|cli|main|preload)(/|$)', message: 'The panel imports shared types only (app/shared).' }],
      }],
    },
  },
  {
    files: ['native-host/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [{
          regex: '^(?!node:|\\./|\\.\\./app/shared/|\\.\\./app/os/(control-socket-path|data-dir|hub-records)\\.js$)',
          message: 'The native host starts fast and depends on nothing but node:* modules, app/shared and the node-only app/os helpers it shares with the hub.',
        }],
      }],
    },
  },
  {
    files: ['app/shared/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [{
          regex: '^(?!\\./)',
          message: 'app/shared is read by the hub, the native host, the CLI, the panel and (generated) the companion extension: it imports other app/shared files only (no node:*, no package, no electron).',
        }],
      }],
    },
  },
);
