// Bundles the committee CLI into one ES module (dist/cli.mjs) at install time.
// Through tsx every `npx yishi` compiled ~150 TypeScript files at start, about
// a second of CPU: 20 committee commands at once then queued for the 2 cores
// for tens of seconds. The bundle starts in a fraction of that. A manifest lists the sources
// the bundle was built from, so bin/yishi.js can fall back to tsx when one of
// them has changed since (a developer editing the tree).
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
let esbuild;
try {
  esbuild = await import('esbuild');
} catch {
  console.log('esbuild is not installed; the CLI runs through tsx');
  process.exit(0);
}
const outfile = join(root, 'dist', 'cli.mjs');
mkdirSync(dirname(outfile), { recursive: true });
try {
  const result = await esbuild.build({
    entryPoints: [join(root, 'src', 'cli', 'main.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    // Packages are bundled too: resolving and loading a few hundred small modules of zod,
    // commander and pg cost a third of a command's start. Left outside: what loads
    // WebAssembly or native code from beside its own files, and what only one command uses.
    external: ['@prisma/*', '@electric-sql/*', 'pg-native', 'cli-progress', 'csv-parse'],
    // Bundled CommonJS packages (pg) call require(); an ES module has none of its own.
    banner: {
      js: "import { createRequire as yishiCreateRequire } from 'node:module'; const require = yishiCreateRequire(import.meta.url);",
    },
    outfile,
    metafile: true,
    logLevel: 'warning',
  });
  const sources = Object.keys(result.metafile.inputs)
    .map((input) => relative(root, join(root, input)))
    .filter((input) => !input.startsWith('node_modules'));
  writeFileSync(
    join(root, 'dist', 'cli.sources.json'),
    `${JSON.stringify({ builtAt: Date.now(), sources })}\n`,
  );
  console.log(`bundled the CLI from ${sources.length} sources into dist/cli.mjs`);
} catch (error) {
  // The CLI still runs through tsx; a failed bundle must not fail the install.
  console.log(
    `could not bundle the CLI (${error instanceof Error ? error.message : error}); it runs through tsx`,
  );
}
