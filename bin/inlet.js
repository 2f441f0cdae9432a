#!/usr/bin/env node
// The `inlet` command. The TypeScript sources are compiled into dist/ by `npm install`
// (the `prepare` script); this file only finds them.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const entry = new URL('../dist/app/cli/main.js', import.meta.url);
if (!existsSync(fileURLToPath(entry))) {
  process.stderr.write('inlet: the command is not built yet; run `npm install` (or `npm run build`) in the project folder.\n');
  process.exit(1);
}
const { main } = await import(entry.href);
process.exitCode = await main(process.argv.slice(2));
