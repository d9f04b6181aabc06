/**
 * The public board in a real headless Chromium (Debian's /usr/bin/chromium via
 * playwright-core), after a journey through the Telegram webhook: proposals and
 * co-signs and ballots arrive as updates, deadlines fire on a fixed clock. The
 * board's numbers must equal the status views (`yishi status --json`), an open
 * vote shows turnout and no split, an overdue resolution its level; axe-core
 * finds no serious or critical violation in either language; no response
 * carries a name, a unit or a chat id; feeds parse with independent parsers.
 * Screenshots go to test-results/board/.
 */
import { mkdir, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import nodeIcal from 'node-ical';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assignResolution } from '../../../src/app/assign-resolution.ts';
import { bindChat } from '../../../src/app/bind-chat.ts';
import { boardLink, changePolicy } from '../../../src/app/community-settings.ts';
import { closeVote, openVote } from '../../../src/app/deadlines.ts';
import { reportProgress } from '../../../src/app/report-progress.ts';
import { type ProposalStatusView, proposalStatus } from '../../../src/app/status.ts';
import { createHttpApp, listen } from '../../../src/runtime/http-server.ts';
import { createMetrics } from '../../../src/runtime/metrics.ts';
import { rosterDeps } from '../../../src/runtime/roster-deps.ts';
import { cryptoRandom } from '../../../src/runtime/system.ts';
import { boardReader } from '../../../src/store/board-store.ts';
import { communitySettingsStore } from '../../../src/store/community-settings-store.ts';
import { statusReader } from '../../../src/store/status-store.ts';
import { boardRoutes } from '../../../src/web/board/routes.ts';
import { homePage } from '../../../src/web/home-page.ts';
import { seedCommunity, type TestCommunity } from '../../support/community.ts';
import { createTestDatabase, type TestDatabase } from '../../support/postgres.ts';
import {
  linkTelegramAccounts,
  messageUpdate,
  startTelegramGateway,
  type TelegramGateway,
  userIdOf,
} from '../../support/telegram.ts';

const CHROMIUM = '/usr/bin/chromium';
const SHOTS = 'test-results/board';
const GROUP = -1001000000777;
const HOUSEHOLDS = 27; // buildings 1 and 2 of 12, building 3 of 3 (merged into "other buildings")
const name = (i: number) => `隐私测试名${i}号`;
const unit = (i: number) => `QZX${i}室`;
const DAY = 86_400_000;

describe('the public board in a browser', () => {
  let db: TestDatabase;
  let c: TestCommunity;
  let gw: TelegramGateway;
  let browser: Browser;
  let origin: string;
  let key: string;
  let close: () => Promise<void>;
  const bodies: { url: string; body: string }[] = [];

  async function get(path: string, headers: Record<string, string> = {}) {
    const response = await fetch(`${origin}${path}`, { headers });
    const body = await response.text();
    bodies.push({ url: path, body });
    return { status: response.status, body, type: response.headers.get('content-type') ?? '' };
  }
  const say = async (i: number, text: string) => {
    const r = await gw.post(messageUpdate({ chatId: GROUP, userId: userIdOf(i), text }));
    expect(r.status).toBe(200);
  };
  const status = async (number: number): Promise<ProposalStatusView> => {
    const outcome = await proposalStatus(statusReader(db), {
      communityId: c.id,
      number,
      now: c.clock.now(),
    });
    if (outcome.kind !== 'status') throw new Error(outcome.kind);
    return outcome.view;
  };

  beforeAll(async () => {
    db = await createTestDatabase();
    c = await seedCommunity(db, {
      households: HOUSEHOLDS,
      perBuilding: 12,
      policy: { noticePeriod: '1d', votingWindow: '3d', quietHours: null, reminders: [] },
    });
    // Recognisable names and units, so the privacy check can search for them.
    for (const [i, r] of c.residents.entries()) {
      await db.prisma.resident.update({ where: { id: r.id }, data: { name: name(i) } });
      await db.prisma.household.update({ where: { id: r.householdId }, data: { unit: unit(i) } });
    }
    await linkTelegramAccounts(
      db,
      c,
      c.residents.map((_, i) => i),
    );
    await bindChat(rosterDeps(db), {
      communityId: c.id,
      platform: 'telegram',
      chatId: String(GROUP),
    });
    gw = await startTelegramGateway(db, c.deps);

    // #1 through the webhook: proposed, co-signed to the threshold (9 of 27), voted, passed.
    await say(0, '/propose 修缮自行车棚\n车棚顶棚漏雨，需要更换。');
    for (let i = 1; i < 9; i++) await say(i, '/cosign 1');
    c.clock.advance(DAY + 60_000);
    expect((await openVote(c.deps, { communityId: c.id, number: 1 })).kind).toBe('opened');
    for (let i = 0; i < 21; i++)
      await say(i, `/vote 1 ${i < 17 ? 'for' : i < 20 ? 'against' : 'abstain'}`);
    c.clock.advance(3 * DAY);
    expect((await closeVote(c.deps, { communityId: c.id, number: 1 })).kind).toBe('closed');
    const due = new Date(c.clock.now().getTime() + 2 * DAY);
    const assigned = await assignResolution(c.deps, {
      actor: c.as(0),
      number: 1,
      lead: '物业',
      due: due.toISOString(),
    });
    expect(assigned.kind).toBe('assigned');
    await reportProgress(c.deps, { actor: c.as(2), number: 1, percent: 40, note: '已采购材料' });
    c.clock.advance(6 * DAY); // due + 4 days: overdue, escalation level 2

    // #2: an open vote with some ballots; #3: collecting co-signs.
    await say(3, '/propose 增设快递柜');
    for (let i = 4; i < 12; i++) await say(i, '/cosign 2');
    c.clock.advance(DAY + 60_000);
    expect((await openVote(c.deps, { communityId: c.id, number: 2 })).kind).toBe('opened');
    for (let i = 0; i < 6; i++) await say(i, `/vote 2 ${i < 4 ? 'for' : 'against'}`);
    await say(5, '/propose 小区绿化补种');
    await say(6, '/cosign 3');

    key = (await boardLink(
      { clock: c.clock, random: cryptoRandom, settings: communitySettingsStore(db) },
      { communityId: c.id, rotate: false },
    ).then((o) => (o.kind === 'link' ? o.key : ''))) as string;

    const app = createHttpApp({ health: async () => ({}), metrics: createMetrics() });
    app.get('/', homePage('test'));
    app.use(boardRoutes({ reader: boardReader(db), clock: c.clock, publicUrl: undefined }));
    const server = await listen(app, 0);
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    close = () => new Promise((resolve) => server.close(() => resolve()));
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    await mkdir(SHOTS, { recursive: true });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await close?.();
    await gw?.close();
    await db?.drop();
  });

  const PAGES = [
    ['board', ''],
    ['item-1', '/1'],
    ['item-2', '/2'],
    ['print-1', '/1/print'],
    ['participation', '/participation'],
  ] as const;

  it('shows the numbers of yishi status for every item; turnout and no split while voting; the overdue level', async () => {
    const page = await browser.newPage();
    await page.goto(`${origin}/board/${key}?lang=zh-CN`);
    const items = await page
      .locator('main article.item')
      .evaluateAll((nodes): Record<string, string | undefined>[] =>
        nodes.map((n) => ({
          ...(n as unknown as { dataset: Record<string, string> }).dataset,
          text: n.textContent ?? '',
        })),
      );
    const numbers = new Set(items.map((i) => Number(i.number)));
    expect([...numbers].sort()).toEqual([1, 2, 3]);
    for (const item of items) {
      const v = await status(Number(item.number));
      expect(item.state).toBe(v.state);
      expect(Number(item.cosigns)).toBe(v.cosigns);
      expect(Number(item.threshold)).toBe(v.cosignThreshold);
      if (v.turnout) {
        expect(Number(item.ballots)).toBe(v.turnout.ballots);
        expect(Number(item.eligible)).toBe(v.turnout.eligible);
        expect(item.text).toContain(`${v.turnout.ballots}/${v.turnout.eligible}`);
      }
      if (v.tally) {
        expect([item.for, item.against, item.abstain].map(Number)).toEqual([
          v.tally.for,
          v.tally.against,
          v.tally.abstain,
        ]);
        expect(item.text).toContain(
          `赞成 ${v.tally.for}，反对 ${v.tally.against}，弃权 ${v.tally.abstain}`,
        );
      } else {
        expect(item.for).toBeUndefined();
      }
      if (v.resolution) {
        expect(Number(item.progress)).toBe(v.resolution.progress);
        expect(Number(item.level)).toBe(v.resolution.escalationLevel);
        expect(item.overdue).toBe(String(v.resolution.overdue));
      }
    }
    const open = items.find((i) => i.number === '2');
    expect(open?.state).toBe('voting');
    expect(open?.text).toContain('参与：6/27');
    expect(open?.text).not.toMatch(/赞成 \d|反对 \d/);
    const overdue = items.find((i) => i.number === '1' && i.level !== undefined);
    expect(overdue?.level).toBe('2');
    expect(overdue?.text).toContain('已逾期');
    expect(overdue?.text).toContain('二级：监督小组跟进');
    await page.close();
  });

  it('passes axe-core (no serious or critical violations) on each page in both languages, and writes screenshots', async () => {
    const axe = await readFile(
      createRequire(import.meta.url).resolve('axe-core/axe.min.js'),
      'utf8',
    );
    for (const lang of ['zh-CN', 'en'] as const) {
      for (const [width, height, label] of [
        [390, 844, 'phone'],
        [1280, 900, 'desktop'],
      ] as const) {
        const context = await browser.newContext({ viewport: { width, height }, bypassCSP: true });
        const page = await context.newPage();
        for (const [pageName, path] of PAGES) {
          const response = await page.goto(`${origin}/board/${key}${path}?lang=${lang}`);
          expect(response?.status(), `${pageName} ${lang}`).toBe(200);
          await page.screenshot({
            path: `${SHOTS}/${pageName}-${lang}-${label}.png`,
            fullPage: true,
          });
          if (label !== 'phone') continue;
          await page.addScriptTag({ content: axe });
          const violations = await page.evaluate(async () => {
            const w = globalThis as unknown as {
              axe: { run(): Promise<{ violations: { id: string; impact: string }[] }> };
            };
            const result = await w.axe.run();
            return result.violations
              .filter((v) => v.impact === 'serious' || v.impact === 'critical')
              .map((v) => v.id);
          });
          expect(violations, `${pageName} ${lang}`).toEqual([]);
        }
        await context.close();
      }
    }
  }, 120_000);

  it('feeds: the .ics parses with node-ical at the community’s local times; the Atom feed is valid XML with the right entries', async () => {
    const ics = await get(`/board/${key}/calendar.ics`);
    expect(ics.type).toContain('text/calendar');
    const events = Object.values(nodeIcal.sync.parseICS(ics.body)).filter(
      (e) => e?.type === 'VEVENT',
    );
    const byUid = new Map(
      events.map((e) => [
        String((e as { uid: string }).uid).split('@')[0],
        e as { start: Date & { tz?: string } },
      ]),
    );
    const v2 = await status(2);
    const v1 = await status(1);
    expect(byUid.get('vote-closes-2')?.start.toISOString()).toBe(v2.votingClosesAt);
    expect(byUid.get('vote-closes-2')?.start.tz).toBe('Asia/Shanghai');
    expect(byUid.get('due-1')?.start.toISOString()).toBe(v1.resolution?.dueAt);
    expect(ics.body).toMatch(/DTSTART;TZID=Asia\/Shanghai:\d{8}T\d{6}\r?\n/);

    const atom = await get(`/board/${key}/feed.atom?lang=en`);
    expect(XMLValidator.validate(atom.body)).toBe(true);
    const parsed = new XMLParser().parse(atom.body) as {
      feed: { entry: { title: string }[] | { title: string } };
    };
    const titles = [parsed.feed.entry].flat().map((e) => e.title);
    expect(titles).toContain('#1 修缮自行车棚: Passed');
    expect(titles.some((t) => t.startsWith('#1 修缮自行车棚: assigned to 物业'))).toBe(true);
    expect(titles).toContain('#1 修缮自行车棚: progress 40%');
  });

  it('GET / is a first-contact page; board "off" and a rotated key answer 404', async () => {
    const home = await get('/');
    expect(home.status).toBe(200);
    expect(home.body).toContain('议事 yishi');
    expect((await get(`/board/${c.id}`)).status).toBe(404); // link policy: the id is not a key
    const settings = {
      clock: c.clock,
      random: cryptoRandom,
      settings: communitySettingsStore(db),
    };
    await changePolicy(settings, {
      communityId: c.id,
      change: { kind: 'set', assignments: [{ key: 'board', value: 'public' }] },
    });
    expect((await get(`/board/${c.id}`)).status).toBe(200);
    await changePolicy(settings, {
      communityId: c.id,
      change: { kind: 'set', assignments: [{ key: 'board', value: 'off' }] },
    });
    for (const path of ['', '/1', '/participation', '/feed.atom', '/calendar.ics']) {
      expect((await get(`/board/${key}${path}`)).status, path).toBe(404);
    }
    await changePolicy(settings, {
      communityId: c.id,
      change: { kind: 'set', assignments: [{ key: 'board', value: 'link' }] },
    });
    expect((await get(`/board/${key}`)).status).toBe(200);
    const rotated = await boardLink(settings, { communityId: c.id, rotate: true });
    if (rotated.kind !== 'link') throw new Error(rotated.kind);
    expect((await get(`/board/${key}`)).status).toBe(404);
    expect((await get(`/board/${rotated.key}`)).status).toBe(200);
    key = rotated.key;
  });

  it('no page or feed contains a resident’s name, a unit or a chat id', async () => {
    for (const lang of ['zh-CN', 'en']) {
      for (const path of [
        '',
        '/1',
        '/2',
        '/3',
        '/1/print',
        '/participation',
        '/feed.atom',
        '/calendar.ics',
      ]) {
        await get(`/board/${key}${path}?lang=${lang}`);
      }
    }
    await get('/');
    const secrets = c.residents.flatMap((_, i) => [name(i), unit(i), String(userIdOf(i))]);
    secrets.push(String(GROUP));
    expect(bodies.length).toBeGreaterThan(20);
    for (const { url, body } of bodies) {
      for (const secret of secrets)
        expect(body.includes(secret), `${secret} in ${url}`).toBe(false);
    }
    // Building 3 has 3 households: merged, never named.
    const participation = await get(`/board/${key}/participation?lang=en`);
    expect(participation.body).toContain('Other buildings');
    expect(participation.body).not.toContain('data-building="3"');
  });
});
