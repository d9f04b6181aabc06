/**
 * The public board (issue 14) of a community with 1,000 proposals, served by
 * the gateway process (src/runtime/main.ts, web side) that also takes the
 * Telegram webhook.
 *
 * Server time is the route's own, from its Server-Timing header (from the
 * request reaching the board route until the page is handed to Node; `desc`
 * says whether it was rendered or came from the page cache), measured on the
 * board routes mounted in this process without the gateway's one-second key
 * lookup reuse: a render is forced by a new audit entry before each request
 * (the cache's validity is the community's newest entry), as after any change
 * in the community, and a cached answer still pays its key lookup.
 *
 * Then the webhook's ack p99 at a fixed rate of vote presses on the same
 * community's open votes, alone and while 20 clients reload the board
 * continuously (every ballot is audited, so the board is invalidated all the
 * time: the worst case for the cache).
 */
import { Agent, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { listen } from '../../src/runtime/http-server.ts';
import { systemClock } from '../../src/runtime/system.ts';
import { boardReader } from '../../src/store/board-store.ts';
import { boardRoutes } from '../../src/web/board/routes.ts';
import { type BoardCommunity, seedBoardCommunity } from '../lib/board-seed.ts';
import { type BenchDatabase, withDatabase } from '../lib/database.ts';
import { startFakeBotApi } from '../lib/fake-bot-api.ts';
import { type Gateway, startGateway, webhookHeaders } from '../lib/gateway.ts';
import { postAll } from '../lib/http-load.ts';
import { Latencies, type LatencySummary } from '../lib/latency.ts';
import { privateRedis } from '../lib/redis.ts';
import { ratio } from '../lib/report.ts';
import { callbackUpdate, type VotePress } from '../lib/telegram-updates.ts';
import type { Figure, Scenario } from '../lib/types.ts';

const READERS = 20;
/** A person reloading a page by hand: once a second. */
const PACE_MS = 1_000;

const readersNote = (run: AckRun) =>
  `${run.readers?.requests ?? 0} board loads, ${run.readers?.rendered ?? 0} rendered, load p99 ${run.readers?.p99 ?? 0} ms`;

export function boardSizes(quick: boolean) {
  return quick
    ? {
        proposals: 60,
        households: 60,
        renders: 4,
        hits: 10,
        items: 4,
        chainChecks: 2,
        pressRate: 40,
        pressMs: 1_000,
      }
    : {
        proposals: 1_000,
        households: 500,
        renders: 60,
        hits: 200,
        items: 60,
        chainChecks: 10,
        pressRate: 100,
        pressMs: 15_000,
      };
}

type Answer = {
  status: number;
  ms: number;
  serverMs: number | null;
  rendered: boolean;
  bytes: number;
};

function get(agent: Agent, url: URL): Promise<Answer> {
  return new Promise((resolve) => {
    const t0 = performance.now();
    const req = request(
      { agent, host: url.hostname, port: url.port, path: `${url.pathname}${url.search}` },
      (res) => {
        let bytes = 0;
        res.on('data', (chunk: Buffer) => {
          bytes += chunk.length;
        });
        res.on('end', () => {
          const timing = String(res.headers['server-timing'] ?? '');
          const dur = /dur=([\d.]+)/.exec(timing)?.[1];
          resolve({
            status: res.statusCode ?? 0,
            ms: performance.now() - t0,
            serverMs: dur === undefined ? null : Number(dur),
            rendered: timing.includes('"render"'),
            bytes,
          });
        });
      },
    );
    req.on('error', () =>
      resolve({ status: 0, ms: performance.now() - t0, serverMs: null, rendered: false, bytes: 0 }),
    );
    req.end();
  });
}

/** A new (unsealed, unshown) audit entry: the community changed, so every cached page is stale. */
async function touch(db: BenchDatabase, communityId: string): Promise<void> {
  await db.pool.query(
    `INSERT INTO "AuditEntry" ("communityId", actor, action, subject, payload, "payloadHash", at)
     VALUES ($1, 'bench', 'bench.touched', 'bench', '{}'::jsonb, 'x', now())`,
    [communityId],
  );
}

type PageTimes = {
  render: LatencySummary;
  cached: LatencySummary;
  endToEndRender: LatencySummary;
  errors: number;
  /** Size of the last answer. */
  bytes: number;
};

/** Sequential requests (no queueing): `renders` forced renders and `hits` cached answers of one page. */
async function timePage(
  db: BenchDatabase,
  board: BoardCommunity,
  base: string,
  paths: (i: number) => string,
  counts: { renders: number; hits: number; touch: boolean },
): Promise<PageTimes> {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const render = new Latencies();
  const cached = new Latencies();
  const endToEnd = new Latencies();
  let errors = 0;
  let bytes = 0;
  try {
    for (let i = 0; i < counts.renders; i++) {
      if (counts.touch) await touch(db, board.communityId);
      const a = await get(agent, new URL(`${base}${paths(i)}`));
      if (a.status !== 200 || a.serverMs === null || !a.rendered) errors++;
      else {
        render.record(a.serverMs);
        endToEnd.record(a.ms);
      }
    }
    for (let i = 0; i < counts.hits; i++) {
      const a = await get(agent, new URL(`${base}${paths(counts.renders - 1)}`));
      bytes = a.bytes;
      if (a.status !== 200 || a.serverMs === null) errors++;
      else cached.record(a.serverMs);
    }
  } finally {
    agent.destroy();
  }
  return {
    render: render.summary(),
    cached: cached.summary(),
    endToEndRender: endToEnd.summary(),
    errors,
    bytes,
  };
}

type AckRun = {
  ack: LatencySummary;
  sent: number;
  statuses: Record<number, number>;
  readers?: {
    requests: number;
    rendered: number;
    p99: number;
    server: LatencySummary;
    errors: number;
  };
};

/** Vote presses at a fixed rate on the open votes; with `readers`, board reloads run alongside. */
async function webhookAck(
  gateway: Gateway,
  board: BoardCommunity,
  presses: VotePress[],
  rate: number,
  readers: number,
  /** Each reader starts a load at most this often; 0: the next as soon as one is answered. */
  paceMs = 0,
): Promise<AckRun> {
  let stop = false;
  const boardUrl = new URL(`${gateway.url}/board/${board.communityId}`);
  const agent = new Agent({ keepAlive: true, maxSockets: Math.max(1, readers) });
  const seen = { requests: 0, rendered: 0, errors: 0 };
  const endToEnd = new Latencies();
  const server = new Latencies();
  const reader = async () => {
    while (!stop) {
      const started = performance.now();
      const a = await get(agent, boardUrl);
      seen.requests++;
      if (a.status !== 200) seen.errors++;
      if (a.rendered) seen.rendered++;
      endToEnd.record(a.ms);
      if (a.serverMs !== null) server.record(a.serverMs);
      const wait = started + paceMs - performance.now();
      if (wait > 0 && !stop) await new Promise((r) => setTimeout(r, wait));
    }
  };
  const reading = Promise.all(Array.from({ length: readers }, reader));
  try {
    // Let the readers reach their steady state before the measured presses.
    if (readers > 0) await new Promise((r) => setTimeout(r, 300));
    const load = await postAll({
      url: gateway.webhookUrl,
      headers: webhookHeaders,
      total: presses.length,
      body: (i) => callbackUpdate(presses[i] as VotePress),
      connections: 40,
      ratePerSecond: rate,
    });
    return {
      ack: load.acks.summary(),
      sent: presses.length,
      statuses: load.statuses,
      ...(readers > 0
        ? {
            readers: {
              ...seen,
              p99: endToEnd.summary().p99,
              server: server.summary(),
            },
          }
        : {}),
    };
  } finally {
    stop = true;
    await reading;
    agent.destroy();
  }
}

/** Distinct first ballots (households that have not voted yet) on the open votes, then changes. */
function pressesFor(
  board: BoardCommunity,
  households: number,
  count: number,
  firstUpdateId: number,
): VotePress[] {
  const choices = ['for', 'against', 'abstain'] as const;
  const votes = board.openVotes;
  const start = Math.floor(households * 0.2);
  const out: VotePress[] = [];
  for (let i = 0; out.length < count; i++) {
    const slot = Math.floor(i / votes.length);
    const h = start + (slot % (households - start));
    out.push({
      updateId: firstUpdateId + i,
      userId: board.set.userId(0, h),
      chatId: board.set.chatId(0),
      number: votes[i % votes.length] ?? 1,
      choice: choices[(Math.floor(slot / (households - start)) + h) % 3] ?? 'for',
    });
  }
  return out;
}

export const board: Scenario = {
  name: 'board',
  title: 'Public board pages and the webhook beside them',
  async run(ctx) {
    const size = boardSizes(ctx.quick);
    return withDatabase(async (db) => {
      const seeded = await seedBoardCommunity(db, size);
      if (seeded.openVotes.length === 0) throw new Error('the seed left no open vote');
      ctx.log(`board: ${size.proposals} proposals seeded, ${seeded.openVotes.length} open votes`);
      const redis = await privateRedis();
      const botApi = await startFakeBotApi();
      try {
        const gateway = await startGateway({
          databaseUrl: db.url,
          redisUrl: redis.url,
          botApiUrl: botApi.url,
          mode: 'web',
        });
        const pageServer = await listen(
          express().use(
            boardRoutes({
              reader: boardReader(db),
              clock: systemClock,
              publicUrl: gateway.url,
            }),
          ),
          0,
        );
        try {
          const base = `http://127.0.0.1:${(pageServer.address() as AddressInfo).port}/board/${seeded.communityId}`;
          const counts = { renders: size.renders, hits: size.hits, touch: true };
          const items = size.proposals;
          const pages: [string, (i: number) => string, typeof counts][] = [
            ['board', () => '', counts],
            // Different items each time, spread over the history, in an unchanged community
            // (the audit chain's check is shared by its item pages: measured apart below).
            [
              'item',
              (i) => `/${1 + ((i * 7919) % items)}`,
              { renders: size.items, hits: size.hits, touch: false },
            ],
            ['participation', () => '/participation', counts],
            ['feed.atom', () => '/feed.atom', counts],
            ['calendar.ics', () => '/calendar.ics', counts],
          ];
          const times: Record<string, PageTimes> = {};
          for (const [name, path, n] of pages) {
            // One untimed request first: the first use of a code path is not what a visitor waits for.
            await get(new Agent(), new URL(`${base}${path(n.renders)}`));
            times[name] = await timePage(db, seeded, base, path, n);
            ctx.log(`board: ${name} render p99 ${times[name]?.render.p99} ms`);
          }
          const chainChecks = new Latencies();
          const reader = boardReader(db);
          for (let i = 0; i < size.chainChecks; i++) {
            const t0 = performance.now();
            const state = await reader.chain(seeded.communityId);
            if (state.kind !== 'intact') throw new Error(`audit chain ${state.kind}`);
            chainChecks.record(performance.now() - t0);
          }
          const auditEntries = await db.pool.query<{ n: number }>(
            `SELECT count(*)::int AS n FROM "AuditEntry" WHERE "communityId" = $1`,
            [seeded.communityId],
          );
          const perPhase = Math.round((size.pressRate * size.pressMs) / 1000);
          const alone = await webhookAck(
            gateway,
            seeded,
            pressesFor(seeded, size.households, perPhase, 700_000_000),
            size.pressRate,
            0,
          );
          ctx.log(`board: webhook ack p99 alone ${alone.ack.p99} ms`);
          const beside = await webhookAck(
            gateway,
            seeded,
            pressesFor(seeded, size.households, perPhase, 710_000_000).map((p, i) => ({
              ...p,
              choice: (['against', 'abstain', 'for'] as const)[i % 3] ?? 'for',
            })),
            size.pressRate,
            READERS,
          );
          ctx.log(`board: webhook ack p99 with ${READERS} readers ${beside.ack.p99} ms`);
          const paced = await webhookAck(
            gateway,
            seeded,
            pressesFor(seeded, size.households, perPhase, 720_000_000),
            size.pressRate,
            READERS,
            PACE_MS,
          );
          ctx.log(
            `board: webhook ack p99 with ${READERS} readers, 1 load/s each ${paced.ack.p99} ms`,
          );

          const pageFigures = Object.entries(times).flatMap(([name, t]): Figure[] => [
            {
              name: `${name}: server time p99, rendered`,
              value: t.render.p99,
              unit: 'ms',
              note: `${Math.round(t.bytes / 1024)} KiB`,
            },
            { name: `${name}: server time p99, cached`, value: t.cached.p99, unit: 'ms' },
          ]);
          const errors = Object.values(times).reduce((s, t) => s + t.errors, 0);
          const failedPresses = (run: AckRun) => run.sent - (run.statuses[200] ?? 0);
          return {
            path: `pages in-process (Server-Timing); webhook on ${gateway.entry} (web)`,
            size: {
              proposals: size.proposals,
              households: size.households,
              readers: READERS,
              pressesPerSecond: size.pressRate,
              pressesPerPhase: perPhase,
            },
            figures: [
              ...pageFigures,
              {
                name: 'audit chain check p99 (once per change, shared by the item pages)',
                value: chainChecks.summary().p99,
                unit: 'ms',
                note: `${auditEntries.rows[0]?.n ?? 0} entries`,
              },
              {
                name: 'webhook ack p99, board idle',
                value: alone.ack.p99,
                unit: 'ms',
                goal: { op: '<=', value: 200 },
              },
              {
                name: `webhook ack p99, ${READERS} clients reloading the board`,
                value: beside.ack.p99,
                unit: 'ms',
                goal: { op: '<=', value: 200 },
                baseline: alone.ack.p99,
                ratio: ratio(beside.ack.p99, alone.ack.p99),
                note: `back to back; ${readersNote(beside)}`,
              },
              {
                name: `webhook ack p99, ${READERS} clients reloading the board once a second`,
                value: paced.ack.p99,
                unit: 'ms',
                goal: { op: '<=', value: 200 },
                baseline: alone.ack.p99,
                ratio: ratio(paced.ack.p99, alone.ack.p99),
                note: readersNote(paced),
              },
              {
                name: 'failed page requests and presses',
                value:
                  errors +
                  failedPresses(alone) +
                  failedPresses(beside) +
                  failedPresses(paced) +
                  (paced.readers?.errors ?? 0) +
                  (beside.readers?.errors ?? 0),
                unit: 'count',
                goal: { op: '=', value: 0 },
              },
            ],
            details: {
              pages: times,
              alone,
              beside,
              paced,
              // What the gateway said about any failed press (Telegram redelivers those).
              gatewayErrors: gateway
                .output()
                .split('\n')
                .filter((line) => /"level":(50|60)|error/i.test(line))
                .slice(-5),
            },
          };
        } finally {
          await new Promise((resolve) => pageServer.close(resolve));
          await gateway.stop();
        }
      } finally {
        await botApi.stop();
        await redis.stop();
      }
    });
  },
};
