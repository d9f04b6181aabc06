/**
 * Bulk seeding with SQL (generate_series): communities with buildings,
 * households, one resident each, a linked Telegram account per resident and
 * a bound group chat; proposals in any state with deadlines spread over a
 * window. Going through the use cases would take minutes at these sizes and
 * is not what the scenarios measure.
 *
 * Ids are derived from a tag and indexes, so a scenario can compute any id,
 * Telegram user id or chat id without reading them back.
 */
import type pg from 'pg';

export type CommunitySet = {
  tag: number;
  count: number;
  households: number;
  communityId: (c: number) => string;
  householdId: (c: number, h: number) => string;
  residentId: (c: number, h: number) => string;
  /** The Telegram user id linked to household `h` of community `c`. */
  userId: (c: number, h: number) => string;
  /** The Telegram group bound to community `c`. */
  chatId: (c: number) => string;
};

/** Timestamp text PostgreSQL reads as `timestamp(3)` in UTC (the way Prisma stores DateTime). */
export const sqlTime = (at: Date) => at.toISOString().replace('Z', '');

export function communitySet(tag: number, count: number, households: number): CommunitySet {
  return {
    tag,
    count,
    households,
    communityId: (c) => `bc-${tag}-${c}`,
    householdId: (c, h) => `bh-${tag}-${c}-${h}`,
    residentId: (c, h) => `br-${tag}-${c}-${h}`,
    userId: (c, h) => String((tag + 1) * 100_000_000 + c * 100_000 + h),
    chatId: (c) => String(-(1_000_000_000_000 + (tag + 1) * 1_000_000 + c)),
  };
}

/**
 * `count` communities of `households` households each (buildings of
 * `perBuilding`), one resident per household (the first on the committee),
 * every resident linked to a Telegram account, one Telegram group bound per community.
 */
export async function seedCommunities(
  pool: pg.Pool,
  options: {
    tag: number;
    count: number;
    households: number;
    perBuilding?: number;
    policy?: Record<string, unknown>;
  },
): Promise<CommunitySet> {
  const { tag, count, households } = options;
  const per = options.perBuilding ?? 50;
  const set = communitySet(tag, count, households);
  const buildings = Math.ceil(households / per);
  const t = String(tag);
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query(
      `INSERT INTO "Community" (id, name, policy)
       SELECT 'bc-' || $1 || '-' || c, 'bench ' || $1 || '-' || c, $3::jsonb
       FROM generate_series(0, $2 - 1) c`,
      [t, count, JSON.stringify(options.policy ?? {})],
    );
    await client.query(
      `INSERT INTO "Building" (id, "communityId", name)
       SELECT 'bb-' || $1 || '-' || c || '-' || b, 'bc-' || $1 || '-' || c, (b + 1)::text
       FROM generate_series(0, $2 - 1) c, generate_series(0, $3 - 1) b`,
      [t, count, buildings],
    );
    await client.query(
      `INSERT INTO "Household" (id, "communityId", "buildingId", unit)
       SELECT 'bh-' || $1 || '-' || c || '-' || h, 'bc-' || $1 || '-' || c,
              'bb-' || $1 || '-' || c || '-' || (h / $4), (101 + h % $4)::text
       FROM generate_series(0, $2 - 1) c, generate_series(0, $3 - 1) h`,
      [t, count, households, per],
    );
    await client.query(
      `INSERT INTO "Resident" (id, "communityId", "householdId", name, roles, "updatedAt")
       SELECT 'br-' || $1 || '-' || c || '-' || h, 'bc-' || $1 || '-' || c,
              'bh-' || $1 || '-' || c || '-' || h, '居民' || h,
              CASE WHEN h = 0 THEN ARRAY['resident', 'committee']::"Role"[]
                   ELSE ARRAY['resident']::"Role"[] END,
              now()
       FROM generate_series(0, $2 - 1) c, generate_series(0, $3 - 1) h`,
      [t, count, households],
    );
    await client.query(
      `INSERT INTO "ChatIdentity" (id, "communityId", "residentId", platform, "userId")
       SELECT 'bi-' || $1 || '-' || c || '-' || h, 'bc-' || $1 || '-' || c,
              'br-' || $1 || '-' || c || '-' || h, 'telegram',
              ((($1::int + 1) * 100000000) + c * 100000 + h)::text
       FROM generate_series(0, $2 - 1) c, generate_series(0, $3 - 1) h`,
      [t, count, households],
    );
    await client.query(
      `INSERT INTO "ChatBinding" (id, "communityId", platform, "chatId")
       SELECT 'bg-' || $1 || '-' || c, 'bc-' || $1 || '-' || c, 'telegram',
              (-(1000000000000 + ($1::int + 1) * 1000000 + c))::text
       FROM generate_series(0, $2 - 1) c`,
      [t, count],
    );
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  } finally {
    client.release();
  }
  return set;
}

export type ProposalState = 'collecting' | 'noticed' | 'voting';

export type ProposalSpec = {
  /** Proposals 1..perCommunity in every community of the set. */
  perCommunity: number;
  state: ProposalState;
  /**
   * The pending deadline of proposal k (0-based over all communities,
   * community-major): first + k × step. It is the co-sign deadline
   * (collecting), the vote opening (noticed) or the vote closing (voting).
   */
  first: Date;
  stepMs: number;
  /** For votes: snapshot every household of the community as eligible. */
  eligibility?: boolean;
  /**
   * For votes: how long before closing the vote opened. Default 3 days. A
   * short one leaves no reminder in the plan (reminders before the opening are dropped).
   */
  votingMs?: number;
};

export const proposalId = (set: CommunitySet, c: number, n: number) => `bp-${set.tag}-${c}-${n}`;

/** Proposals with one pending deadline each (see ProposalSpec). */
export async function seedProposals(
  pool: pg.Pool,
  set: CommunitySet,
  spec: ProposalSpec,
): Promise<void> {
  const t = String(set.tag);
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    // k is the proposal's position over the whole set; deadline = first + k × step.
    await client.query(
      `WITH p AS (
         SELECT c, n, (c * $3 + n - 1) AS k
         FROM generate_series(0, $2 - 1) c, generate_series(1, $3) n
       ), d AS (
         SELECT c, n, $5::timestamp + (k * $6::float8) * interval '1 millisecond' AS due FROM p
       )
       INSERT INTO "Proposal" (id, "communityId", number, title, body, category, "authorId", state,
         "createdAt", "cosignDeadline", "cosignThreshold", "cosignCount", "agendaAt",
         "votingOpensAt", "votingClosesAt", "eligibleCount")
       SELECT 'bp-' || $1 || '-' || c || '-' || n, 'bc-' || $1 || '-' || c, n,
              '加装电梯 ' || n, '', 'elevator', 'br-' || $1 || '-' || c || '-0', $4::"ProposalState",
              d.due - interval '30 days',
              CASE WHEN $4 = 'collecting' THEN d.due ELSE d.due - interval '20 days' END,
              GREATEST(1, ceil($7::int * 0.3))::int,
              CASE WHEN $4 = 'collecting' THEN 1 ELSE GREATEST(1, ceil($7::int * 0.3))::int END,
              CASE WHEN $4 = 'collecting' THEN NULL ELSE d.due - interval '21 days' END,
              CASE WHEN $4 = 'noticed' THEN d.due
                   WHEN $4 = 'voting' THEN d.due - $8::float8 * interval '1 millisecond'
                   ELSE NULL END,
              CASE WHEN $4 = 'voting' THEN d.due ELSE NULL END,
              CASE WHEN $4 = 'voting' THEN $7::int ELSE NULL END
       FROM d`,
      [
        t,
        set.count,
        spec.perCommunity,
        spec.state,
        sqlTime(spec.first),
        spec.stepMs,
        set.households,
        spec.votingMs ?? 3 * 86_400_000,
      ],
    );
    await client.query(
      `UPDATE "Community" SET "nextProposalNumber" = $3 + 1
       WHERE id IN (SELECT 'bc-' || $1 || '-' || c FROM generate_series(0, $2 - 1) c)`,
      [t, set.count, spec.perCommunity],
    );
    if (spec.eligibility && spec.state === 'voting') {
      await client.query(
        `INSERT INTO "Eligibility" ("proposalId", "voterKey", "householdId", "buildingId")
         SELECT 'bp-' || $1 || '-' || c || '-' || n, h.id, h.id, h."buildingId"
         FROM generate_series(0, $2 - 1) c CROSS JOIN generate_series(1, $3) n
         JOIN "Household" h ON h."communityId" = 'bc-' || $1 || '-' || c`,
        [t, set.count, spec.perCommunity],
      );
    }
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  } finally {
    client.release();
  }
}

/** Counting ballots for the first `voters` households of every vote of the set (choice by household). */
export async function seedBallots(
  pool: pg.Pool,
  set: CommunitySet,
  perCommunity: number,
  voters: number,
  at: Date,
): Promise<void> {
  await pool.query(
    `INSERT INTO "Ballot" ("proposalId", "voterKey", choice, channel, "castBy", "castAt")
     SELECT 'bp-' || $1 || '-' || c || '-' || n, 'bh-' || $1 || '-' || c || '-' || h,
            (ARRAY['for', 'for', 'against', 'abstain'])[1 + h % 4]::"BallotChoice", 'chat',
            'br-' || $1 || '-' || c || '-' || h, $5::timestamp
     FROM generate_series(0, $2 - 1) c, generate_series(1, $3) n, generate_series(0, $4 - 1) h`,
    [String(set.tag), set.count, perCommunity, voters, sqlTime(at)],
  );
}
