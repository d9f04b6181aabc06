/**
 * The embedded database shared by the server and the committee's CLI: while
 * `main.ts all` serves an embedded data directory (and takes webhooks), CLI
 * commands go through its socket and see its data; a second server on the
 * same directory is refused with one line; once the server stops, the CLI
 * opens the directory itself.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeTelegram, startFakeTelegram } from '../../support/fake-telegram.ts';
import { freePort, runCli, runNode, startGateway, startRedis } from '../../support/processes.ts';
import { rosterLines, writeRoster } from '../../support/roster.ts';
import { messageUpdate, SECRET_HEADER, TEST_SECRET, TEST_TOKEN } from '../../support/telegram.ts';

const GROUP = -1001000000777;
const AUTHOR = 100_000;

describe('the embedded database shared by the server and the CLI', () => {
  let home: string;
  let fake: FakeTelegram;
  let redis: Awaited<ReturnType<typeof startRedis>>;
  let env: Record<string, string>;
  let communityId: string;
  let roster: string;

  const cli = async (...args: string[]) => {
    const run = await runCli(args, env);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    return run.stdout;
  };
  const openNumbers = async () =>
    (JSON.parse(await cli('status', '--community', communityId, '--json')) as { number: number }[])
      .map((p) => p.number)
      .sort((a, b) => a - b);
  /** What a committee member does while the server runs: 20 status reads, an import, a verify. */
  const committeeRound = async (expected: number[]) => {
    for (let i = 0; i < 20; i++) expect(await openNumbers()).toEqual(expected);
    expect(await cli('roster', 'import', '--community', communityId, roster)).toContain(
      '0 created',
    );
    expect(await cli('audit', 'verify', '--community', communityId)).toMatch(/^audit chain intact/);
  };

  beforeAll(async () => {
    home = await mkdtemp(join(tmpdir(), 'yishi-shared-'));
    fake = await startFakeTelegram({ token: TEST_TOKEN });
    redis = await startRedis();
    env = { YISHI_DATA_DIR: home, REDIS_URL: redis.url };
    await cli('db', 'migrate');
    communityId = (
      JSON.parse(await cli('community', 'create', '--name', '共享社区', '--json')) as { id: string }
    ).id;
    roster = await writeRoster(join(home, 'roster.csv'), rosterLines(8));
    expect(await cli('roster', 'import', '--community', communityId, roster)).toContain(
      '8 created',
    );
    await cli(
      'chat',
      'bind',
      '--community',
      communityId,
      '--platform',
      'telegram',
      '--chat',
      `${GROUP}`,
    );
  });
  afterAll(async () => {
    await fake?.close();
    await redis?.stop();
    await rm(home, { recursive: true, force: true });
  });

  // 66 CLI commands, each a process of its own (~1 s of CPU through the bundle, ~2 s through tsx).
  it('serves CLI commands while it runs and takes webhooks, refuses a second server, and lets the CLI in after it stops', {
    timeout: 240_000,
  }, async () => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const gateway = await startGateway({
      ...env,
      PORT: String(port),
      TELEGRAM_BOT_TOKEN: TEST_TOKEN,
      TELEGRAM_WEBHOOK_SECRET: TEST_SECRET,
      TELEGRAM_API_ROOT: fake.apiRoot,
      PUBLIC_URL: url,
    });
    let updateId = 0;
    const post = (text: string, userId = AUTHOR, chatId = GROUP) =>
      fetch(`${url}/telegram/webhook`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', [SECRET_HEADER]: TEST_SECRET },
        body: JSON.stringify({
          ...messageUpdate({ chatId, userId, text }),
          update_id: 900_000 + ++updateId,
        }),
      });
    try {
      // The server's data: a proposal typed in the group.
      expect((await post('/propose 共享数据库的议题')).status).toBe(200);
      await committeeRound([1]);

      // The same while the server answers webhooks all along.
      let busy = true;
      const answered: number[] = [];
      const traffic = (async () => {
        for (let i = 0; busy; i++) {
          // Residents asking in their private chats, each chat well under Telegram's rate limit.
          const resident = AUTHOR + (i % 8);
          answered.push((await post('/status 1', resident, resident)).status);
          await new Promise((resolve) => setTimeout(resolve, 200));
        }
      })();
      await committeeRound([1]);
      busy = false;
      await traffic;
      expect(answered.length).toBeGreaterThan(0);
      expect(answered.every((status) => status === 200)).toBe(true);

      const second = await runNode(['--import', 'tsx', 'src/runtime/main.ts', 'all'], {
        ...env,
        PORT: String(await freePort()),
      });
      expect(second.code).toBe(2);
      expect(second.stderr.trim().split('\n')).toHaveLength(1);
      expect(second.stderr).toContain('in use by process');
      expect((await fetch(`${url}/healthz`)).status).toBe(200);
    } finally {
      expect(await gateway.stop()).toBe(0);
    }
    // Nobody serves the directory now: the CLI opens it itself.
    await committeeRound([1]);
  });
});
