// Lint rules. The import rules keep the layering of README, Architecture honest:
// app/core and app/os never import electron; native-host imports nothing but node:*;
// the panel (renderer/) imports shared types only.
import tseslint from 'typescript-eslint';

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
    files: ['app/core/**/*.ts', 'app/os/**/*.ts', 'app/cli/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [{ name: 'electron', message: 'The hub core must run under plain Node: keep electron in app/main.' }],
        patterns: [{ group: ['**/app/main/**', '**/main/*', 'electron/*'], message: 'The core, os and cli layers never reach into the Electron shell.' }],
      }],
    },
  },
  {
    files: ['renderer/**/*.ts', 'renderer/**/*.tsx'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [{ name: 'electron', message: 'The panel is a web app; it talks to the hub over the admin API only.' }],
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
