#!/usr/bin/env node
// The committee CLI. Runs the bundle made at install (dist/cli.mjs, see
// scripts/build-cli.js) while every source it was built from is unchanged;
// otherwise registers tsx and runs the TypeScript sources as they are.
import { readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

function bundleIsCurrent() {
  if (process.env.YISHI_CLI_FROM_SOURCE === '1') return false;
  try {
    const { builtAt, sources } = JSON.parse(
      readFileSync(join(root, 'dist', 'cli.sources.json'), 'utf8'),
    );
    statSync(join(root, 'dist', 'cli.mjs'));
    return sources.every((source) => statSync(join(root, source)).mtimeMs <= builtAt);
  } catch {
    return false;
  }
}

if (bundleIsCurrent()) {
  await import('../dist/cli.mjs');
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../src/cli/main.ts');
}
