import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

/**
 * Builds the panel into renderer/dist, which the hub's admin API serves: `index.html` at `/`
 * (behind the login cookie) and everything else under `/assets/`. Nothing else is served, so
 * every output file must land in one of those two places.
 *
 * The hub sends a strict CSP (`script-src 'self'; style-src 'self'`, no 'unsafe-inline'), so
 * the output must carry no inline script or style: the modulepreload polyfill Vite would inline
 * is off (every browser that loads the panel supports modulepreload natively), and assets are
 * never inlined as data: URLs into scripts.
 */
const root = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root,
  base: '/',
  // Copied verbatim: only public/assets/ (the hub serves nothing else), which holds the style of
  // the hub's own one-message pages (app/core/admin/message-page.ts).
  publicDir: 'public',
  // No Preact plugin: esbuild compiles the JSX with Preact's automatic runtime directly.
  esbuild: {
    jsx: 'automatic',
    jsxImportSource: 'preact',
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    assetsDir: 'assets',
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    target: 'es2022',
    sourcemap: false,
    // The panel is a few kilobytes; one script and one stylesheet keep the page to two requests.
    cssCodeSplit: false,
    rollupOptions: {
      output: { inlineDynamicImports: true },
    },
  },
  logLevel: 'warn',
});
