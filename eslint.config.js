// Lint rules. The import rules keep the layering of the README's Architecture honest:
// electron (and electron-updater, which loads it) only in app/main and app/preload, the thin
// Electron shell; app/core, app/os and app/cli never reach into that shell; native-host imports
// nothing but node:*; the panel (renderer/) imports shared types only.
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
        patterns: [{ regex: '^(?!node:|\\.)', message: 'The native host starts fast and depends on nothing but node:* modules.' }],
      }],
    },
  },
);
