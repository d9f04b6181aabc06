/**
 * `npm run demo`: one community through a whole participation cycle in about
 * a minute, with simulated residents and the real workers (deadlines,
 * reminders, the escalation ladder, the push queue), printing what each chat
 * would have seen. Needs only a local Redis: the database is an embedded
 * PGlite in a temporary directory, removed at the end.
 *
 * The policy is accelerated (seconds instead of days); nothing else is.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { SLACK_COMMAND_PREFIX } from '../bots/slack/render.ts';
import { applyMigrations } from '../prisma/migrate.ts';
import { answerSurvey } from '../src/app/answer-survey.ts';
import { assignResolution } from '../src/app/assign-resolution.ts';
import { bindChat } from '../src/app/bind-chat.ts';
import { castVote } from '../src/app/cast-vote.ts';
import { completeResolution } from '../src/app/complete-resolution.ts';
import type { CoreDeps } from '../src/app/core.ts';
import { cosign } from '../src/app/cosign.ts';
import { createCommunity } from '../src/app/create-community.ts';
import { importRoster } from '../src/app/import-roster.ts';
import type { ChatSender, ChatTarget, OutboundMessage } from '../src/app/ports/delivery.ts';
import type { ActorRef, Choice, Platform } from '../src/app/ports/store.ts';
import { propose } from '../src/app/propose.ts';
import { relayVote } from '../src/app/relay-vote.ts';
import { reportProgress } from '../src/app/report-progress.ts';
import { setChatLocale } from '../src/app/set-chat-locale.ts';
import { buttonLabel, messageTexts } from '../src/chat/render-lines.ts';
import type { Locale } from '../src/i18n/translate.ts';
import { rosterDeps } from '../src/runtime/roster-deps.ts';
import { uuidSource } from '../src/runtime/system.ts';
import { databasePorts } from '../src/runtime/worker-ports.ts';
import { chatStore } from '../src/store/chat-store.ts';
import { openDatabase } from '../src/store/database.ts';
import { statusReader } from '../src/store/status-store.ts';
import { startWorkers } from '../workers/index.ts';
import { DEFAULT_PUSH_LIMITS, PUSH_QUEUE } from '../workers/push/index.ts';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
let started = Date.now();
const elapsed = () => `+${((Date.now() - started) / 1000).toFixed(1).padStart(5)}s`;

// ---------------------------------------------------------------------------
// The community: one policy in seconds, a roster, a Telegram group and a Slack channel.

const POLICY = {
  cosignRatio: 0.3,
  noticePeriod: '3s',
  votingWindow: '10s',
  reminders: ['5s'],
  escalation: ['0s', '3s', '6s'],
  surveyWindow: '6s',
  quietHours: null,
};

type Person = {
  name: string;
  building: string;
  unit: string;
  roles: string;
  telegram?: string;
  slack?: string;
  title?: string;
};

const PEOPLE: Person[] = [
  {
    name: '李主任',
    building: '3',
    unit: '101',
    roles: 'resident;committee',
    telegram: '7001',
    title: '居委会',
  },
  {
    name: '张代表',
    building: '3',
    unit: '102',
    roles: 'resident;representative',
    telegram: '7002',
    title: '3号楼议事代表',
  },
  {
    name: '王经理',
    building: '3',
    unit: '103',
    roles: 'resident;executor:物业',
    telegram: '7003',
    title: '物业',
  },
  {
    name: '赵老师',
    building: '3',
    unit: '104',
    roles: 'resident;supervisor',
    telegram: '7004',
    title: '民主监督小组',
  },
  {
    name: '陈科长',
    building: '5',
    unit: '101',
    roles: 'street_office',
    telegram: '7005',
    title: '街道办',
  },
  { name: '刘阿姨', building: '3', unit: '201', roles: 'resident', telegram: '7006' },
  { name: 'Tom Becker', building: '3', unit: '202', roles: 'resident', slack: 'U0TOM' },
  { name: '孙大爷', building: '3', unit: '203', roles: 'resident' },
  { name: '周女士', building: '3', unit: '204', roles: 'resident', telegram: '7009' },
  { name: '吴先生', building: '5', unit: '102', roles: 'resident', telegram: '7010' },
  { name: 'Anna Li', building: '5', unit: '201', roles: 'resident', slack: 'U0ANNA' },
];

const CHATS: { platform: Platform; chatId: string; name: string; locale: Locale }[] = [
  { platform: 'telegram', chatId: '-1003001', name: 'Telegram 群「幸福里3号楼」', locale: 'zh-CN' },
  { platform: 'slack', chatId: 'C0XINGFULI', name: 'Slack #xingfuli-community', locale: 'en' },
];

// ---------------------------------------------------------------------------
// A console "platform": every message a chat receives, as its members would read it.

function chatName(target: ChatTarget): string {
  const group = CHATS.find((c) => c.platform === target.platform && c.chatId === target.chatId);
  if (group) return group.name;
  const person = PEOPLE.find((p) =>
    target.platform === 'telegram' ? p.telegram === target.chatId : p.slack === target.chatId,
  );
  const who = person ? `${person.name}${person.title ? `（${person.title}）` : ''}` : target.chatId;
  return `${target.platform === 'telegram' ? 'Telegram' : 'Slack'} 私聊 · ${who}`;
}

const delivered = new Map<string, number>();

function show(target: ChatTarget, message: OutboundMessage, how: 'new' | 'edit'): void {
  const name = chatName(target);
  delivered.set(name, (delivered.get(name) ?? 0) + 1);
  // Each platform's words: Slack's commands read `/yishi vote 1 for`.
  const lines = messageTexts(message, target.platform === 'slack' ? SLACK_COMMAND_PREFIX : '/');
  if (message.buttons.length > 0) {
    lines.push(message.buttons.map((b) => `[${buttonLabel(b, message.locale)}]`).join(' '));
  }
  const verb = how === 'new' ? '' : message.locale === 'en' ? ' (card updated)' : '（卡片更新）';
  const out = [
    `\n${elapsed()} ┌─ ${name}${verb}`,
    ...lines.map((l) => `        │ ${l}`),
    '        └─',
  ];
  console.log(out.join('\n'));
}

let nextMessageId = 1;
const consoleSender: ChatSender = {
  async send(target, message) {
    show(target, message, 'new');
    return { kind: 'sent', messageId: String(nextMessageId++) };
  },
  async edit(target, messageId, message) {
    show(target, message, 'edit');
    return { kind: 'sent', messageId };
  },
};

// ---------------------------------------------------------------------------

const narrate = (zh: string, en: string) => console.log(`\n${elapsed()} ▶ ${zh} / ${en}`);

function expect<T extends { kind: string }, K extends T['kind']>(
  outcome: T,
  kind: K,
): Extract<T, { kind: K }> {
  if (outcome.kind !== kind) throw new Error(`expected ${kind}, got ${JSON.stringify(outcome)}`);
  return outcome as Extract<T, { kind: K }>;
}

async function until(what: string, check: () => Promise<boolean>, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`demo stuck waiting for ${what}`);
    await sleep(100);
  }
}

async function main(): Promise<void> {
  const redisCheck = new Redis(REDIS_URL, {
    lazyConnect: true,
    maxRetriesPerRequest: 1,
    retryStrategy: () => null,
  });
  redisCheck.on('error', () => {});
  try {
    await redisCheck.connect();
  } catch {
    throw new Error(
      `no Redis at ${REDIS_URL}: start one with \`redis-server --daemonize yes\` (or set REDIS_URL)`,
    );
  } finally {
    redisCheck.disconnect();
  }

  const dataDir = await mkdtemp(join(tmpdir(), 'yishi-demo-'));
  const prefix = `demo-${randomUUID().slice(0, 8)}`;
  console.log('议事 yishi demo: one community, one accelerated cycle (days become seconds).');
  console.log(`embedded database in ${dataDir}, Redis ${REDIS_URL} (queue prefix ${prefix})`);
  console.log(`policy: ${JSON.stringify(POLICY)}`);

  const db = await openDatabase({ kind: 'pglite', dataDir });
  const pushInspector = new Queue(PUSH_QUEUE, { connection: { url: REDIS_URL }, prefix });
  let workers: Awaited<ReturnType<typeof startWorkers>> | undefined;
  try {
    await applyMigrations(await db.migrationAdapter());
    const roster = rosterDeps(db);
    const created = expect(
      await createCommunity(roster, { name: '幸福里社区', policy: POLICY }),
      'created',
    );
    const communityId = created.id;
    expect(
      await importRoster(roster, {
        communityId,
        records: PEOPLE.map((p) => ({
          building: p.building,
          unit: p.unit,
          name: p.name,
          roles: p.roles,
          telegram_user_id: p.telegram,
          slack_user_id: p.slack,
        })),
      }),
      'imported',
    );
    const chats = { chats: chatStore(db) };
    for (const chat of CHATS) {
      expect(await bindChat(roster, { communityId, ...chat }), 'bound');
      await setChatLocale(chats, {
        platform: chat.platform,
        chatId: chat.chatId,
        text: chat.locale,
      });
    }
    // The Slack residents read English in their private chats too (/lang en there).
    for (const p of PEOPLE.filter((x) => x.slack)) {
      await setChatLocale(chats, { platform: 'slack', chatId: p.slack ?? '', text: 'en' });
    }

    const ports = databasePorts(db);
    const clock = { now: () => new Date() };
    workers = await startWorkers(
      {
        clock,
        ids: uuidSource,
        ...ports,
        senders: { telegram: consoleSender, slack: consoleSender },
        log: {
          info() {},
          warn: (fields, message) => console.error(`warn: ${message} ${JSON.stringify(fields)}`),
          error: (fields, message) => console.error(`error: ${message} ${JSON.stringify(fields)}`),
        },
      },
      {
        connection: REDIS_URL,
        prefix,
        relay: { pollMs: 100 },
        pushes: {
          coalesceMs: 1000,
          // An accelerated cycle edits cards faster than a real one; the group limit is raised
          // so the demo is not throttled (the per-bot and private-chat limits stay as they are).
          limits: {
            ...DEFAULT_PUSH_LIMITS,
            telegram: {
              ...DEFAULT_PUSH_LIMITS.telegram,
              perGroup: { points: 60, durationMs: 60_000 },
            },
          },
        },
      },
    );

    const core: CoreDeps = { clock, ids: uuidSource, store: ports.store };
    const residents = await db.sql.query<{ id: string; name: string }>(
      'SELECT id, name FROM "Resident" WHERE "communityId" = $1',
      [communityId],
    );
    const as = (name: string): ActorRef => {
      const r = residents.find((x) => x.name === name);
      if (!r) throw new Error(`no resident ${name}`);
      return { kind: 'resident', residentId: r.id };
    };
    const status = statusReader(db);
    const proposalState = async (number: number) =>
      (await status.proposal(communityId, number))?.proposal.state;
    const resolution = async (number: number) => {
      const found = (await status.proposal(communityId, number))?.resolution;
      if (!found) throw new Error(`no resolution #${number}`);
      return found;
    };

    console.log(
      `ready in ${((Date.now() - started) / 1000).toFixed(1)} s; the cycle starts now (times below are from here).`,
    );
    started = Date.now();
    narrate('张代表提出议题：3号楼加装电梯', 'A building representative proposes an elevator');
    const proposed = expect(
      await propose(core, {
        actor: as('张代表'),
        title: '3号楼加装电梯',
        body: '3号楼老人多，上下楼困难。建议申请加装电梯，费用按楼层分摊。',
        category: 'elevator',
      }),
      'proposed',
    );
    const number = proposed.number;
    await sleep(1500);

    narrate(
      '邻居附议，达到 30% 门槛后进入公示',
      'Neighbours co-sign; at 30% the vote is announced',
    );
    for (const name of ['刘阿姨', '周女士', '吴先生']) {
      expect(await cosign(core, { actor: as(name), number }), 'cosigned');
      await sleep(400);
    }
    await until('the vote to open', async () => (await proposalState(number)) === 'voting');

    narrate(
      '表决开始：住户在群里投票，代表代录一张纸质选票',
      'Voting: residents vote in chat, a paper ballot is relayed',
    );
    const ballots: [string, Choice][] = [
      ['李主任', 'for'],
      ['张代表', 'for'],
      ['Tom Becker', 'for'],
      ['刘阿姨', 'against'],
    ];
    for (const [name, choice] of ballots) {
      expect(await castVote(core, { actor: as(name), number, choice }), 'recorded');
      await sleep(300);
    }
    expect(
      await relayVote(core, {
        actor: as('张代表'),
        number,
        unit: '203',
        choice: 'for',
        paperRef: '纸质选票-3-203-001',
      }),
      'recorded',
    );
    narrate(
      '截止前提醒：群里看到参与率，未投票的住户收到私信',
      'Reminder: turnout to the groups, private nudges to households that have not voted',
    );
    await until(
      'the vote reminder',
      async () =>
        (
          await db.sql.query(
            `SELECT 1 FROM "AuditEntry" WHERE "communityId" = $1 AND action = 'vote.reminded'`,
            [communityId],
          )
        ).length > 0,
    );
    await sleep(1000);
    for (const [name, choice] of [
      ['周女士', 'for'],
      ['吴先生', 'for'],
      ['赵老师', 'for'],
      ['Anna Li', 'abstain'],
      ['刘阿姨', 'for'],
    ] as [string, Choice][]) {
      expect(await castVote(core, { actor: as(name), number, choice }), 'recorded');
      await sleep(300);
    }
    await until('the vote to close', async () => (await proposalState(number)) !== 'voting');
    narrate(
      `表决结束：${await proposalState(number)}`,
      `The vote closed: ${await proposalState(number)}`,
    );
    await sleep(1500);

    narrate(
      '居委会指派：物业牵头，业委会配合',
      'The committee assigns the work to 物业 (property management)',
    );
    expect(
      await assignResolution(core, {
        actor: as('李主任'),
        number,
        lead: '物业',
        coop: ['业委会'],
        due: new Date(Date.now() + 6000).toISOString(),
      }),
      'assigned',
    );
    await sleep(1200);
    expect(
      await reportProgress(core, {
        actor: as('王经理'),
        number,
        percent: 30,
        note: '已完成可行性评估，正在报规划审批',
      }),
      'reported',
    );

    narrate('逾期未完成：问责逐级升级', 'Overdue: the escalation ladder climbs');
    await until('escalation level 2', async () => (await resolution(number)).escalationLevel >= 2);
    await sleep(1000);
    narrate(
      '物业完成施工：问责停止，开始满意度调查',
      'The work is done: the ladder stops, the survey opens',
    );
    expect(
      await completeResolution(core, {
        actor: as('王经理'),
        number,
        note: '电梯已安装并通过验收',
      }),
      'completed',
    );
    await sleep(1500);
    for (const [name, answer] of [
      ['刘阿姨', 'yes'],
      ['Tom Becker', 'yes'],
      ['周女士', 'yes'],
      ['吴先生', 'no'],
    ] as [string, 'yes' | 'no'][]) {
      await answerSurvey(core, { actor: as(name), number, answer });
      await sleep(300);
    }
    await until(
      'the survey to close',
      async () => (await resolution(number)).state === 'evaluated',
    );
    narrate('满意度调查结束', 'The survey closed');

    await until(
      'every push to be delivered',
      async () => {
        const counts = await pushInspector.getJobCounts('waiting', 'delayed', 'active');
        const unrelayed = await db.sql.query('SELECT 1 FROM "Outbox" WHERE "relayedAt" IS NULL');
        return unrelayed.length === 0 && Object.values(counts).every((n) => n === 0);
      },
      30_000,
    );
    const level = (await resolution(number)).escalationLevel;
    console.log(`\n${elapsed()} ■ done. Messages each chat received:`);
    for (const [name, count] of [...delivered].sort((a, b) => b[1] - a[1])) {
      console.log(`        ${String(count).padStart(3)}  ${name}`);
    }
    console.log(
      `        highest escalation level: ${level}${level < 3 ? ' (the work was done before level 3: the ladder stopped)' : ''}`,
    );
  } finally {
    await workers?.close();
    await pushInspector.obliterate({ force: true }).catch(() => {});
    await pushInspector.close();
    const cleanup = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
    const keys = await cleanup.keys(`${prefix}:*`).catch(() => [] as string[]);
    if (keys.length > 0) await cleanup.del(...keys).catch(() => 0);
    cleanup.disconnect();
    await db.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(`demo failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
