/**
 * The outbox relay: turns committed publications into work. For each outbox
 * row, in the feed's order (oldest first, other system announcements behind
 * results and people's own changes: OutboxFeed.pending): re-sync that proposal's deadlines with the queue
 * (schedule what its plan says, drop what it no longer says), fan the card
 * out to every bound chat of the community as push requests, then mark the
 * row relayed. A crash before the mark relays the row again: deadline jobs
 * and card pushes are idempotent, so nothing is lost and nothing doubles.
 *
 * A pass is set-based: one read of the rows, one of their proposals, one of
 * their chats, one `syncMany` of their deadlines, one bulk add per urgency
 * to the push queue and one mark, whatever the batch's size.
 *
 * Passes overlap by one stage: while a batch's pushes go into Redis, the next
 * batch (read without the rows still in flight) is read and its deadlines
 * synced. Each stage keeps its order, so deadlines are synced from newer state
 * after older, and cards go in in the feed's order (chat events and watch alerts,
 * rare and keyed, go in with the first stage). In a storm of 10,000 closes the
 * relay was bound by the two stages taken in turn.
 *
 * A pass starts as soon as rows commit: the feed's `watch` (PostgreSQL
 * LISTEN, a trigger notifies) wakes the relay in whichever process holds
 * the lease, and `nudge` does in this process (a deadline that fired
 * announces itself). Polling stays as the fallback, and is all there is on
 * the embedded database, which has no watch; a ballot's vote card (which
 * the trigger leaves out) also waits for the poll.
 *
 * One relay runs at a time across all worker processes: each holds a short
 * Redis lease while it relays. (Row locks with FOR UPDATE SKIP LOCKED would
 * need the PostgreSQL transaction held open around the Redis calls, which
 * the single-connection embedded database cannot serve alongside the reads.)
 */
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { noticePushKey } from '../src/app/notice-push-key.ts';
import type { Clock } from '../src/app/ports/clock.ts';
import type { PushQueue } from '../src/app/ports/queue.ts';
import type { OutboxFeed, OutboxRow, ScheduleReader } from '../src/app/ports/schedule.ts';
import { watchAlertPushes } from '../src/app/watch-alert.ts';
import type { WorkerLog } from './deadlines/log.ts';
import type { DeadlineScheduler } from './deadlines/scheduler.ts';
import { type CardPush, type NoticePush, PUBLICATION_KINDS } from './push/push-request.ts';

export type OutboxRelayDeps = {
  feed: OutboxFeed;
  reader: ScheduleReader;
  scheduler: DeadlineScheduler;
  push: PushQueue;
  clock: Clock;
  redis: Redis;
  prefix: string;
  log: WorkerLog;
};

export type OutboxRelayOptions = {
  /** Pause between polls when the outbox is empty. Default 150 ms. */
  pollMs?: number;
  /**
   * Rows per batch. Default 500: a storm of closes is relayed in few passes,
   * each costing a handful of round trips whatever its size.
   */
  batchSize?: number;
  /** How long the lease lasts without renewal (a dead relay's successor waits this long). Default 10 s. */
  leaseMs?: number;
};

export type OutboxRelay = {
  /** Relays one batch now if this process holds (or can take) the lease; the rows relayed. */
  relayOnce(): Promise<number>;
  /** New rows were committed: relay now instead of at the next poll (again after a pass in flight). */
  nudge(): void;
  close(): Promise<void>;
};

const KINDS: ReadonlySet<string> = new Set(PUBLICATION_KINDS);
/** Batches per run of the loop; between runs the lease and `again` are looked at afresh. */
const RUN_BATCHES = 20;
/** A chat event, not a card: the bot is back in a bound chat (src/app/chat-membership.ts). */
const CHAT_RESTORED = 'chat_restored';
/** A watchfulness alert for the supervision group (src/app/watch.ts). */
const WATCH_ALERT = 'watch_alert';

/** Tells the community's committee, in their private chats, that the bot is back in a chat. */
async function committeeNotices(deps: OutboxRelayDeps, row: OutboxRow): Promise<NoticePush[]> {
  if (!row.chatPlatform || !row.chatId) return [];
  const about = { platform: row.chatPlatform, chatId: row.chatId };
  const committee = await deps.reader.audienceChats(row.communityId, '', ['committee']);
  return committee.map((chat) => ({
    kind: 'notice',
    key: noticePushKey(row.id, chat.platform, chat.chatId),
    notice: 'chat_restored',
    communityId: row.communityId,
    about,
    platform: chat.platform,
    chatId: chat.chatId,
  }));
}

// Renews or takes the lease only if it is ours or free.
const TAKE_LEASE = `
local current = redis.call('GET', KEYS[1])
if current == false or current == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return 1
end
return 0`;
const DROP_LEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

/**
 * The first stage of a pass: deadlines synced and the batch's pushes worked
 * out; the second (returned) queues them. Chat events and watch alerts,
 * rare, are queued in the first.
 */
async function prepareRows(
  deps: OutboxRelayDeps,
  all: readonly OutboxRow[],
): Promise<() => Promise<void>> {
  const events = all.filter((row) => row.kind === CHAT_RESTORED);
  const alerts = all.filter((row) => row.kind === WATCH_ALERT);
  const rows =
    events.length + alerts.length === 0
      ? all
      : all.filter((row) => row.kind !== CHAT_RESTORED && row.kind !== WATCH_ALERT);
  const told = (await Promise.all(events.map((row) => committeeNotices(deps, row)))).flat();
  if (told.length > 0) await deps.push.enqueue(told, { urgent: false });
  // A watch alert is news now, quiet hours or not: the row's id is the alert's key.
  const warned = (
    await Promise.all(
      alerts.map((row) =>
        watchAlertPushes(deps.reader, { key: row.id, communityId: row.communityId }),
      ),
    )
  ).flat();
  if (warned.length > 0) await deps.push.enqueue(warned, { urgent: true });
  const subjects = new Map<string, { communityId: string; number: number }>();
  for (const row of rows) {
    subjects.set(`${row.communityId}/${row.number}`, row);
  }
  const loaded = await deps.reader.subjects([...subjects.values()]);
  // One read of the notices already sent for the whole batch, not one per proposal.
  await deps.scheduler.syncMany(await deps.scheduler.plansFor(loaded));
  // Every community's chats in one read: a read per community (awaited in turn) cost a
  // round trip each, up to a hundred per batch in a deadline storm across communities.
  const bindings = await deps.reader.bindingsOf([...new Set(rows.map((r) => r.communityId))]);
  const urgent: CardPush[] = [];
  const later: CardPush[] = [];
  // Rows of one card (a burst of ballots on one vote) push the same requests: once per batch.
  const fanned = new Set<string>();
  for (const row of rows) {
    if (!KINDS.has(row.kind)) {
      deps.log.warn({ outboxId: row.id, kind: row.kind }, 'outbox row of unknown kind skipped');
      continue;
    }
    const card = `${row.announcement}/${row.communityId}/${row.number}/${row.kind}`;
    if (fanned.has(card)) continue;
    fanned.add(card);
    const chats = bindings.get(row.communityId) ?? [];
    // A person's own action shows at once; system announcements wait out quiet hours.
    const into = row.announcement ? later : urgent;
    for (const chat of chats) {
      into.push({
        kind: 'card',
        communityId: row.communityId,
        number: row.number,
        card: row.kind as CardPush['card'],
        platform: chat.platform,
        chatId: chat.chatId,
      });
    }
  }
  // Quiet hours come from the communities just read: the queue need not read them again.
  const communities = loaded.map((subject) => subject.community);
  return async () => {
    if (urgent.length > 0) await deps.push.enqueue(urgent, { urgent: true });
    if (later.length > 0) await deps.push.enqueue(later, { urgent: false, communities });
  };
}

export function startOutboxRelay(deps: OutboxRelayDeps, options: OutboxRelayOptions = {}) {
  const pollMs = options.pollMs ?? 150;
  const batchSize = options.batchSize ?? 500;
  const leaseMs = options.leaseMs ?? 10_000;
  const leaseKey = `${deps.prefix}:yishi-outbox-relay-lease`;
  const token = randomUUID();
  let closed = false;
  let inFlight: Promise<number> | null = null;
  let timer: NodeJS.Timeout | undefined;
  // Set by a nudge during a pass: that pass may have read the outbox before the new rows.
  let again = false;

  const holdLease = async () =>
    (await deps.redis.eval(TAKE_LEASE, 1, leaseKey, token, String(leaseMs))) === 1;

  /**
   * Relays batch after batch while full ones come (`max` batches at most),
   * the next batch's first stage overlapping the one before's queueing; the
   * rows relayed. A failure ends the run once the batches in flight settled:
   * their rows are relayed again next time (pushes and syncs are idempotent).
   */
  async function relayRun(max: number): Promise<number> {
    let relayed = 0;
    // The batch being queued, if any: its rows are not marked yet.
    let queueing: { ids: string[]; done: Promise<void> } | null = null;
    let failure: unknown;
    try {
      for (let batch = 0; batch < max && !closed; batch++) {
        if (!(await holdLease())) break;
        const rows = await deps.feed.pending(batchSize, queueing?.ids ?? []);
        if (rows.length === 0) break;
        const deliver = await prepareRows(deps, rows);
        // The batch before is queued and marked first: pushes go in in the feed's order.
        await queueing?.done;
        const ids = rows.map((r) => r.id);
        const done = (async () => {
          await deliver();
          await deps.feed.markRelayed(ids, deps.clock.now());
        })();
        // Awaited in the next round or below; until then its failure is not unhandled.
        done.catch(() => undefined);
        queueing = { ids, done };
        relayed += rows.length;
        if (rows.length < batchSize) break;
      }
    } catch (error) {
      failure = error;
    }
    // The run ends with nothing in flight, whatever failed.
    try {
      await queueing?.done;
    } catch (error) {
      if (failure === undefined) failure = error;
      else if (error !== failure) deps.log.error({ error: String(error) }, 'outbox relay failed');
    }
    if (failure !== undefined) throw failure;
    return relayed;
  }

  const serialized = (max: number): Promise<number> => {
    if (inFlight) return inFlight;
    inFlight = relayRun(max).finally(() => {
      inFlight = null;
    });
    return inFlight;
  };

  let looping = false;
  const loop = async () => {
    if (closed) return;
    looping = true;
    // A pass already in flight (a caller's relayOnce) may have read before the rows this
    // loop was started for: go again after it.
    again = inFlight !== null;
    let relayed = 0;
    try {
      relayed = await serialized(RUN_BATCHES);
    } catch (error) {
      deps.log.error({ error: String(error) }, 'outbox relay failed; retrying');
    }
    looping = false;
    // A run that ended on a full batch means more may be waiting: go again at once.
    if (!closed) timer = setTimeout(loop, relayed >= batchSize * RUN_BATCHES || again ? 0 : pollMs);
  };
  timer = setTimeout(loop, 0);

  const nudge = () => {
    if (closed) return;
    if (looping) {
      again = true;
      return;
    }
    clearTimeout(timer);
    timer = setTimeout(loop, 0);
  };
  // Other processes' commits (the web side's, another worker's deadlines) wake this one too.
  const watch = deps.feed.watch?.(nudge);

  const relay: OutboxRelay = {
    relayOnce: () => serialized(1),
    nudge,
    async close() {
      closed = true;
      clearTimeout(timer);
      await watch?.close();
      await inFlight?.catch(() => undefined);
      await deps.redis.eval(DROP_LEASE, 1, leaseKey, token).catch(() => undefined);
    },
  };
  return relay;
}
