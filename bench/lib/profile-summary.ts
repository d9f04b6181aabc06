/**
 * Summarises a V8 `.cpuprofile` (from `node --cpu-prof`): self time by
 * package or source directory, and the hottest functions. Used to say what
 * limits a scenario with a measurement rather than a guess.
 *
 *   node --import tsx bench/lib/profile-summary.ts FILE.cpuprofile [top]
 */
import { readFile } from 'node:fs/promises';
import { z } from 'zod';

const ProfileSchema = z.object({
  nodes: z.array(
    z.object({
      id: z.number(),
      callFrame: z.object({ functionName: z.string(), url: z.string(), lineNumber: z.number() }),
    }),
  ),
  samples: z.array(z.number()),
  timeDeltas: z.array(z.number()),
});

export type ProfileSummary = {
  totalMs: number;
  byArea: { area: string; ms: number; share: number }[];
  byFunction: { fn: string; ms: number; share: number }[];
};

function areaOf(url: string): string {
  if (url === '') return '(native/idle/gc)';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg?.[1]) return pkg[1];
  if (url.startsWith('node:')) return 'node core';
  const own = /\/(src\/[^/]+|bench|bots\/[^/]+|workers\/[^/]+|tests)\//.exec(url);
  return own?.[1] ?? url;
}

export function summarise(profileText: string, top = 15): ProfileSummary {
  const profile = ProfileSchema.parse(JSON.parse(profileText));
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const areas = new Map<string, number>();
  const fns = new Map<string, number>();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const dt = (profile.timeDeltas[i] ?? 0) / 1000;
    const node = byId.get(id);
    if (!node) return;
    total += dt;
    const { functionName, url, lineNumber } = node.callFrame;
    const area = functionName === '(idle)' ? '(idle)' : areaOf(url);
    areas.set(area, (areas.get(area) ?? 0) + dt);
    const fn = `${functionName || '(anonymous)'} ${url.split('/').slice(-2).join('/')}:${lineNumber + 1}`;
    fns.set(fn, (fns.get(fn) ?? 0) + dt);
  });
  const ranked = (m: Map<string, number>) =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([k, ms]) => ({ k, ms: Math.round(ms), share: Math.round((ms / total) * 1000) / 10 }));
  return {
    totalMs: Math.round(total),
    byArea: ranked(areas).map(({ k, ms, share }) => ({ area: k, ms, share })),
    byFunction: ranked(fns).map(({ k, ms, share }) => ({ fn: k, ms, share })),
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const file = process.argv[2];
  if (!file) {
    process.stderr.write('usage: profile-summary.ts FILE.cpuprofile [top]\n');
    process.exit(2);
  }
  const summary = summarise(await readFile(file, 'utf8'), Number(process.argv[3] ?? 15));
  process.stdout.write(`total ${summary.totalMs} ms\n`);
  for (const a of summary.byArea) process.stdout.write(`${a.share}%\t${a.ms} ms\t${a.area}\n`);
  process.stdout.write('\n');
  for (const f of summary.byFunction) process.stdout.write(`${f.share}%\t${f.ms} ms\t${f.fn}\n`);
}
