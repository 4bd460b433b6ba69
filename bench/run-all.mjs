#!/usr/bin/env node
// Runs every benchmark in this folder in turn (see README.md for each one's command).
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));
for (const file of readdirSync(here).filter((name) => name.endsWith('.mjs') && name !== 'run-all.mjs').sort()) {
  console.log(`\n## ${file}\n`);
  const result = spawnSync(process.execPath, [here + file, ...process.argv.slice(2)], { stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
}
