/**
 * What the board reads from the audit log, on real PostgreSQL: the item page's
 * chain line is read-only (a public GET never seals) and says how far the
 * chain is sealed, and the Atom feed carries an escalation written by the
 * escalate use case. One resolution, driven by use cases on a fixed clock.
 */
import type { AddressInfo } from 'node:net';
import { XMLParser } from 'fast-xml-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assignResolution } from '../../../src/app/assign-resolution.ts';
import { castVote } from '../../../src/app/cast-vote.ts';
import { boardLink } from '../../../src/app/community-settings.ts';
import { closeVote } from '../../../src/app/deadlines.ts';
import { escalateResolution } from '../../../src/app/escalate-resolution.ts';
import { reportProgress } from '../../../src/app/report-progress.ts';
import { t } from '../../../src/i18n/translate.ts';
import { createHttpApp, listen } from '../../../src/runtime/http-server.ts';
import { createMetrics } from '../../../src/runtime/metrics.ts';
import { cryptoRandom } from '../../../src/runtime/system.ts';
import { sealAudit } from '../../../src/store/audit-seal.ts';
import { boardReader } from '../../../src/store/board-store.ts';
import { communitySettingsStore } from '../../../src/store/community-settings-store.ts';
import { noticeLedger } from '../../../src/store/schedule-store.ts';
import { boardRoutes } from '../../../src/web/board/routes.ts';
import { seedCommunity, type TestCommunity } from '../../support/community.ts';
import { createTestDatabase, type TestDatabase } from '../../support/postgres.ts';
import { openedVote } from '../../support/voting.ts';

const DAY = 86_400_000;
const HOUSEHOLDS = 10;

describe('the board and the audit log', () => {
  let db: TestDatabase;
  let c: TestCommunity;
  let origin: string;
  let close: () => Promise<void>;
  let number: number;
  let board: string;

  const get = async (path: string) => {
    const response = await fetch(`${origin}${board}${path}`);
    return { status: response.status, body: await response.text() };
  };
  const unsealed = () =>
    db.prisma.auditEntry.count({ where: { communityId: c.id, chainIndex: null } });
  const chainLine = (body: string) =>
    /data-chain="[a-z]+">([^<]*)</.exec(body)?.[1]?.replace(/\s+/g, ' ') ?? '';

  beforeAll(async () => {
    db = await createTestDatabase();
    c = await seedCommunity(db, {
      households: HOUSEHOLDS,
      policy: {
        noticePeriod: '1d',
        votingWindow: '1d',
        quietHours: null,
        reminders: [],
        escalation: ['0s', '3d', '7d'],
      },
    });
    number = await openedVote(c, DAY + 60_000);
    for (let i = 0; i < 8; i++) {
      const cast = await castVote(c.deps, { actor: c.as(i), number, choice: 'for' });
      expect(cast.kind).toBe('recorded');
    }
    c.clock.advance(DAY);
    expect((await closeVote(c.deps, { communityId: c.id, number })).kind).toBe('closed');
    const assigned = await assignResolution(c.deps, {
      actor: c.as(0),
      number,
      lead: '物业',
      due: new Date(c.clock.now().getTime() + DAY).toISOString(),
    });
    expect(assigned.kind).toBe('assigned');
    await reportProgress(c.deps, { actor: c.as(2), number, percent: 30, note: '已联系施工方' });

    const settings = {
      clock: c.clock,
      random: cryptoRandom,
      settings: communitySettingsStore(db),
    };
    const link = await boardLink(settings, { communityId: c.id, rotate: false });
    if (link.kind !== 'link') throw new Error(link.kind);
    board = `/board/${link.key}`;

    const app = createHttpApp({ health: async () => ({}), metrics: createMetrics() });
    app.use(boardRoutes({ reader: boardReader(db), clock: c.clock, publicUrl: undefined }));
    const server = await listen(app, 0);
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    close = () => new Promise((resolve) => server.close(() => resolve()));
  }, 60_000);

  afterAll(async () => {
    await close?.();
    await db?.drop();
  });

  it('an item page reads the chain without sealing it, and names how far it is sealed', async () => {
    const pendingBefore = await unsealed();
    expect(pendingBefore).toBeGreaterThan(0);
    const first = await get(`/${number}?lang=en`);
    expect(first.status).toBe(200);
    expect(chainLine(first.body)).toBe(
      `Audit log intact; nothing sealed yet. ${pendingBefore} newer entries are waiting to be sealed.`,
    );
    expect(await unsealed()).toBe(pendingBefore);

    // The maintenance job seals; the page then names the last sealed entry and the seal's time.
    const sealedAt = c.clock.now();
    expect(await sealAudit(db.sql, c.id, sealedAt)).toBe(pendingBefore);
    const head = await db.prisma.auditSeal.findUniqueOrThrow({ where: { communityId: c.id } });
    expect(head.lastIndex).toBe(pendingBefore - 1);
    await reportProgress(c.deps, { actor: c.as(2), number, percent: 60, note: '材料到场' });
    const second = await get(`/${number}?lang=en`);
    const localTime = new Intl.DateTimeFormat('en', {
      timeZone: 'Asia/Shanghai',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    }).format(sealedAt);
    expect(chainLine(second.body)).toMatch(
      new RegExp(
        `^Audit log intact, sealed up to entry #${head.lastIndex} at [^.]*${localTime}[^.]*\\. 1 newer entries are waiting to be sealed\\.$`,
      ),
    );
    expect(await unsealed()).toBe(1);
  });

  it('the Atom feed carries an escalation recorded by the escalate use case', async () => {
    c.clock.advance(2 * DAY); // a day past due: level 1
    const proposal = await db.prisma.proposal.findUniqueOrThrow({
      where: { communityId_number: { communityId: c.id, number } },
    });
    const escalated = await escalateResolution(
      { ids: c.deps.ids, ledger: noticeLedger(db) },
      {
        key: `escalation:${proposal.id}:1`,
        proposalId: proposal.id,
        communityId: c.id,
        number,
        level: 1,
        recipients: 2,
        now: c.clock.now(),
      },
    );
    expect(escalated.kind).toBe('escalated');

    const feed = await get('/feed.atom?lang=en');
    expect(feed.status).toBe(200);
    const parsed = new XMLParser().parse(feed.body) as {
      feed: { entry: { title: string; updated: string } | { title: string; updated: string }[] };
    };
    const entries = [parsed.feed.entry].flat();
    const title = `#${number} 加装电梯: ${t('en', 'escalation.label.1')}`;
    const escalation = entries.find((e) => e.title === title);
    expect(escalation, entries.map((e) => e.title).join('\n')).toBeDefined();
    expect(new Date(escalation?.updated ?? '').getTime()).toBe(c.clock.now().getTime());
    // Newest first: the escalation is the latest thing that happened.
    expect(entries[0]?.title).toBe(escalation?.title);
  });
});
