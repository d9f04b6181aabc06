/**
 * A community with a long public history for the board scenario: `proposals`
 * proposals made one a day up to today, so the board holds every section at
 * once: the youngest collecting co-signs, a week announced, three days of
 * open votes, and behind them closed votes (passed, rejected, no quorum) or
 * expired ones; passed votes carry resolutions in progress, overdue and
 * escalated, done and evaluated. Co-signs, eligibility and ballots are real
 * rows (the participation page counts them), and every step has its audit
 * entry, sealed, so an item page checks a chain of realistic length.
 */
import type pg from 'pg';
import { auditRow } from '../../src/store/audit-append.ts';
import { sealAudit } from '../../src/store/audit-seal.ts';
import type { BenchDatabase } from './database.ts';
import { type CommunitySet, seedCommunities, sqlTime } from './seed.ts';

const DAY = 86_400_000;
const UNITS = ['物业公司', '街道城管科', '业委会'] as const;

type ProposalRow = {
  id: string;
  number: number;
  state: string;
  createdAt: Date;
  cosignDeadline: Date;
  cosignCount: number;
  agendaAt: Date | null;
  votingOpensAt: Date | null;
  votingClosesAt: Date | null;
  eligibleCount: number | null;
  closedAt: Date | null;
  tally: { for: number; against: number; abstain: number } | null;
  /** Households 0..ballots-1 voted (choice by household, see {@link choiceOf}). */
  ballots: number;
};

type ResolutionRow = {
  id: string;
  proposalId: string;
  number: number;
  state: 'assigned' | 'in_progress' | 'done' | 'evaluated';
  assignedAt: Date;
  dueAt: Date;
  progress: number;
  note: string;
  noteAt: Date;
  escalationLevel: number;
  doneAt: Date | null;
  evaluatedAt: Date | null;
  satisfied: number | null;
  answered: number | null;
};

type AuditRow = { actor: string; action: string; subject: string; payload: object; at: Date };

export type BoardCommunity = { set: CommunitySet; communityId: string; openVotes: number[] };

/** The ballot choice of household h in a vote whose result is `result`. */
function choiceOf(result: string, h: number): 'for' | 'against' | 'abstain' {
  if (result === 'rejected') return h % 4 === 0 ? 'for' : 'against';
  if (result === 'no_quorum') return h % 5 === 0 ? 'abstain' : 'for';
  return h % 4 === 3 ? 'against' : 'for';
}

function tallyOf(result: string, ballots: number) {
  const tally = { for: 0, against: 0, abstain: 0 };
  for (let h = 0; h < ballots; h++) tally[choiceOf(result, h)]++;
  return tally;
}

export async function seedBoardCommunity(
  db: BenchDatabase,
  options: { proposals: number; households: number },
): Promise<BoardCommunity> {
  const { proposals: total, households } = options;
  const set = await seedCommunities(db.pool, {
    tag: 0,
    count: 1,
    households,
    perBuilding: 50,
    policy: { board: 'public', quietHours: null },
  });
  const communityId = set.communityId(0);
  const now = Date.now();
  const threshold = Math.max(1, Math.ceil(households * 0.3));
  const at = (ms: number) => new Date(ms);

  const proposals: ProposalRow[] = [];
  const resolutions: ResolutionRow[] = [];
  const audit: AuditRow[] = [];
  const openVotes: number[] = [];
  for (let n = 1; n <= total; n++) {
    const age = total - n; // days since it was proposed
    const created = now - age * DAY - 3_600_000;
    const id = `bp-0-0-${n}`;
    const subject = `proposal:${id}`;
    const row: ProposalRow = {
      id,
      number: n,
      state: 'collecting',
      createdAt: at(created),
      cosignDeadline: at(created + 14 * DAY),
      cosignCount: n % threshold,
      agendaAt: null,
      votingOpensAt: null,
      votingClosesAt: null,
      eligibleCount: null,
      closedAt: null,
      tally: null,
      ballots: 0,
    };
    audit.push({
      actor: 'resident:x',
      action: 'proposal.created',
      subject,
      payload: {},
      at: row.createdAt,
    });
    const expired = age >= 14 && n % 10 < 2;
    if (expired) {
      row.state = 'expired';
      row.cosignCount = Math.floor(threshold / 3);
      audit.push({
        actor: 'system',
        action: 'proposal.expired',
        subject,
        payload: {},
        at: row.cosignDeadline,
      });
    } else if (age >= 14) {
      row.cosignCount = threshold;
      row.agendaAt = at(created + 6 * DAY);
      row.votingOpensAt = at(created + 14 * DAY);
      row.votingClosesAt = at(created + 17 * DAY);
      row.state = 'noticed';
      audit.push({
        actor: 'system',
        action: 'proposal.agenda_reached',
        subject,
        payload: {},
        at: row.agendaAt,
      });
      audit.push({
        actor: 'resident:committee',
        action: 'vote.scheduled',
        subject,
        payload: { votingOpensAt: row.votingOpensAt, votingClosesAt: row.votingClosesAt },
        at: at(created + 7 * DAY),
      });
    }
    if (row.votingOpensAt && row.votingOpensAt.getTime() <= now) {
      row.state = 'voting';
      row.eligibleCount = households;
      row.ballots = Math.floor(households * 0.2);
      audit.push({
        actor: 'system',
        action: 'vote.opened',
        subject,
        payload: { eligible: households, votingClosesAt: row.votingClosesAt },
        at: row.votingOpensAt,
      });
    }
    if (row.votingClosesAt && row.votingClosesAt.getTime() <= now) {
      const result = n % 10 === 2 ? 'rejected' : n % 10 === 3 ? 'no_quorum' : 'passed';
      row.state = result;
      row.closedAt = row.votingClosesAt;
      row.ballots = Math.floor(households * (result === 'no_quorum' ? 0.4 : 0.75));
      row.tally = tallyOf(result, row.ballots);
      audit.push({
        actor: 'system',
        action: 'vote.closed',
        subject,
        payload: { result, tally: row.tally, eligible: households },
        at: row.closedAt,
      });
      if (result === 'passed') resolutions.push(resolutionOf(row, now, audit));
    } else if (row.state === 'voting') openVotes.push(n);
    proposals.push(row);
  }

  const client = await db.pool.connect();
  try {
    await client.query('BEGIN');
    await client.query(
      `INSERT INTO "ExecutingUnit" (id, "communityId", name)
       SELECT 'bu-' || i, $1, name FROM unnest($2::text[]) WITH ORDINALITY AS u(name, i)`,
      [communityId, UNITS],
    );
    await insertProposals(client, communityId, households, threshold, proposals);
    await insertResolutions(client, communityId, resolutions);
    await insertAudit(client, communityId, audit);
    await client.query(`UPDATE "Community" SET "nextProposalNumber" = $2 WHERE id = $1`, [
      communityId,
      total + 1,
    ]);
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  } finally {
    client.release();
  }
  await sealAudit(db.sql, communityId, new Date());
  return { set, communityId, openVotes };
}

function resolutionOf(p: ProposalRow, now: number, audit: AuditRow[]): ResolutionRow {
  const closed = p.closedAt?.getTime() ?? now;
  const assignedAt = closed + 2 * DAY;
  const dueAt = assignedAt + 60 * DAY;
  const id = `bs-0-0-${p.number}`;
  const subject = `resolution:${id}`;
  const since = now - assignedAt;
  const r: ResolutionRow = {
    id,
    proposalId: p.id,
    number: p.number,
    state: 'in_progress',
    assignedAt: new Date(assignedAt),
    dueAt: new Date(dueAt),
    progress: Math.min(90, Math.max(5, Math.floor((since / DAY) * 1.5))),
    note: `第 ${p.number} 号决议：已完成现场勘查与报价`,
    noteAt: new Date(Math.min(now - 3_600_000, assignedAt + 20 * DAY)),
    escalationLevel: 0,
    doneAt: null,
    evaluatedAt: null,
    satisfied: null,
    answered: null,
  };
  audit.push({
    actor: 'resident:committee',
    action: 'resolution.assigned',
    subject,
    payload: { lead: UNITS[p.number % 3], coop: [UNITS[(p.number + 1) % 3]], dueAt: r.dueAt },
    at: r.assignedAt,
  });
  const overdueDays = (now - dueAt) / DAY;
  // Most work is finished within a month of its due date; a third runs late, for up to three months.
  if (overdueDays > 30 && (p.number % 3 !== 0 || overdueDays > 90)) {
    r.state = 'evaluated';
    r.progress = 100;
    r.doneAt = new Date(dueAt - 5 * DAY);
    r.evaluatedAt = new Date(dueAt + 2 * DAY);
    r.answered = 120;
    r.satisfied = p.number % 7 === 0 ? 60 : 100;
    r.noteAt = new Date(dueAt - 20 * DAY);
  }
  audit.push({
    actor: 'resident:executor',
    action: 'resolution.progress_reported',
    subject,
    payload: { percent: Math.min(r.progress, 90), note: r.note },
    at: r.noteAt,
  });
  if (r.state === 'in_progress' && overdueDays >= 0) {
    r.escalationLevel = overdueDays >= 7 ? 3 : overdueDays >= 3 ? 2 : 1;
    for (let level = 1; level <= r.escalationLevel; level++) {
      const after = [0, 0, 3, 7][level] ?? 0;
      audit.push({
        actor: 'system',
        action: 'resolution.escalated',
        subject,
        payload: { level },
        at: new Date(dueAt + after * DAY),
      });
    }
  }
  if (r.doneAt && r.evaluatedAt) {
    audit.push({
      actor: 'resident:executor',
      action: 'resolution.done',
      subject,
      payload: { note: '已完工并验收' },
      at: r.doneAt,
    });
    audit.push({
      actor: 'system',
      action: 'survey.evaluated',
      subject,
      payload: {
        satisfied: r.satisfied,
        answered: r.answered,
        flagged: (r.satisfied ?? 0) / (r.answered ?? 1) < 0.6,
      },
      at: r.evaluatedAt,
    });
  }
  return r;
}

const times = (rows: readonly (Date | null)[]) => rows.map((d) => (d ? sqlTime(d) : null));

async function insertProposals(
  client: pg.PoolClient,
  communityId: string,
  households: number,
  threshold: number,
  rows: readonly ProposalRow[],
): Promise<void> {
  const col = <T>(pick: (r: ProposalRow) => T) => rows.map(pick);
  await client.query(
    `INSERT INTO "Proposal" (id, "communityId", number, title, body, category, "authorId", state,
       "createdAt", "cosignDeadline", "cosignThreshold", "cosignCount", "agendaAt",
       "votingOpensAt", "votingClosesAt", "eligibleCount", "closedAt",
       "tallyFor", "tallyAgainst", "tallyAbstain")
     SELECT p.id, $1, p.number, '更换 ' || p.number || ' 号楼单元门禁', '门禁老化，经常失灵。', 'public_facilities',
            'br-0-0-' || ((p.number * 13) % $2), p.state::"ProposalState",
            p.created, p.deadline, $3, p.cosigns, p.agenda, p.opens, p.closes, p.eligible, p.closed,
            p.t_for, p.t_against, p.t_abstain
       FROM unnest($4::text[], $5::int[], $6::text[], $7::timestamp[], $8::timestamp[], $9::int[],
                   $10::timestamp[], $11::timestamp[], $12::timestamp[], $13::int[], $14::timestamp[],
                   $15::int[], $16::int[], $17::int[])
         AS p(id, number, state, created, deadline, cosigns, agenda, opens, closes, eligible, closed,
              t_for, t_against, t_abstain)`,
    [
      communityId,
      households,
      threshold,
      col((r) => r.id),
      col((r) => r.number),
      col((r) => r.state),
      times(col((r) => r.createdAt)),
      times(col((r) => r.cosignDeadline)),
      col((r) => r.cosignCount),
      times(col((r) => r.agendaAt)),
      times(col((r) => r.votingOpensAt)),
      times(col((r) => r.votingClosesAt)),
      col((r) => r.eligibleCount),
      times(col((r) => r.closedAt)),
      col((r) => r.tally?.for ?? null),
      col((r) => r.tally?.against ?? null),
      col((r) => r.tally?.abstain ?? null),
    ],
  );
  // Co-signers: cosignCount households, shifted per proposal so activity spreads over the roster.
  await client.query(
    `INSERT INTO "Cosign" ("proposalId", "voterKey", "residentId", at)
     SELECT p.id, 'bh-0-0-' || ((p.number * 7 + h) % $2), 'br-0-0-' || ((p.number * 7 + h) % $2),
            p."createdAt" + (h + 1) * interval '1 minute'
       FROM "Proposal" p, generate_series(0, $2 - 1) h
      WHERE p."communityId" = $1 AND h < p."cosignCount"`,
    [communityId, households],
  );
  await client.query(
    `INSERT INTO "Eligibility" ("proposalId", "voterKey", "householdId", "buildingId")
     SELECT p.id, h.id, h.id, h."buildingId"
       FROM "Proposal" p JOIN "Household" h ON h."communityId" = p."communityId"
      WHERE p."communityId" = $1 AND p."eligibleCount" IS NOT NULL`,
    [communityId],
  );
  const voted = rows.filter((r) => r.ballots > 0);
  await client.query(
    `INSERT INTO "Ballot" ("proposalId", "voterKey", choice, channel, "castBy", "castAt")
     SELECT v.id, 'bh-0-0-' || h,
            (CASE WHEN v.state = 'rejected' THEN CASE WHEN h % 4 = 0 THEN 'for' ELSE 'against' END
                  WHEN v.state = 'no_quorum' THEN CASE WHEN h % 5 = 0 THEN 'abstain' ELSE 'for' END
                  ELSE CASE WHEN h % 4 = 3 THEN 'against' ELSE 'for' END END)::"BallotChoice",
            'chat', 'br-0-0-' || h, v.opens + (h + 1) * interval '1 minute'
       FROM unnest($1::text[], $2::text[], $3::int[], $4::timestamp[]) AS v(id, state, ballots, opens),
            generate_series(0, $5 - 1) h
      WHERE h < v.ballots`,
    [
      voted.map((r) => r.id),
      voted.map((r) => r.state),
      voted.map((r) => r.ballots),
      times(voted.map((r) => r.votingOpensAt)),
      households,
    ],
  );
}

async function insertResolutions(
  client: pg.PoolClient,
  communityId: string,
  rows: readonly ResolutionRow[],
): Promise<void> {
  const col = <T>(pick: (r: ResolutionRow) => T) => rows.map(pick);
  await client.query(
    `INSERT INTO "Resolution" (id, "proposalId", "communityId", "leadUnitId", "coopUnits", "dueAt",
       state, progress, "latestNote", "escalationLevel", "assignedAt", "doneAt", "evaluatedAt",
       "satisfiedCount", "answeredCount", flagged)
     SELECT r.id, r.proposal, $1, 'bu-' || (1 + r.number % 3), ARRAY[r.coop],
            r.due, r.state::"ResolutionState", r.progress, r.note, r.level, r.assigned, r.done,
            r.evaluated, r.satisfied, r.answered, coalesce(r.satisfied::float8 / r.answered < 0.6, false)
       FROM unnest($2::text[], $3::text[], $4::int[], $5::timestamp[], $6::text[], $7::int[],
                   $8::text[], $9::int[], $10::timestamp[], $11::timestamp[], $12::timestamp[],
                   $13::int[], $14::int[], $15::text[])
         AS r(id, proposal, number, due, state, progress, note, level, assigned, done, evaluated,
              satisfied, answered, coop)`,
    [
      communityId,
      col((r) => r.id),
      col((r) => r.proposalId),
      col((r) => r.number),
      times(col((r) => r.dueAt)),
      col((r) => r.state),
      col((r) => r.progress),
      col((r) => r.note),
      col((r) => r.escalationLevel),
      times(col((r) => r.assignedAt)),
      times(col((r) => r.doneAt)),
      times(col((r) => r.evaluatedAt)),
      col((r) => r.satisfied),
      col((r) => r.answered),
      col((r) => UNITS[(r.number + 1) % 3]),
    ],
  );
  await client.query(
    `INSERT INTO "ProgressReport" (id, "resolutionId", "reporterId", percent, note, at)
     SELECT 'bn-' || r.id, r.id, 'br-0-0-0', r.progress, r.note, r.at
       FROM unnest($1::text[], $2::int[], $3::text[], $4::timestamp[]) AS r(id, progress, note, at)`,
    [col((r) => r.id), col((r) => r.progress), col((r) => r.note), times(col((r) => r.noteAt))],
  );
}

async function insertAudit(
  client: pg.PoolClient,
  communityId: string,
  entries: AuditRow[],
): Promise<void> {
  const sorted = [...entries].sort((a, b) => a.at.getTime() - b.at.getTime());
  const rows = sorted.map((e) => ({
    ...e,
    ...auditRow({ payload: e.payload as Record<string, unknown> }),
  }));
  // One row at a time in time order, so `seq` follows the history as it would have been written.
  await client.query(
    `INSERT INTO "AuditEntry" ("communityId", actor, action, subject, payload, "payloadHash", at)
     SELECT $1, e.actor, e.action, e.subject, e.payload::jsonb, e.hash, e.at
       FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::timestamp[])
            WITH ORDINALITY AS e(actor, action, subject, payload, hash, at, i)
      ORDER BY e.i`,
    [
      communityId,
      rows.map((r) => r.actor),
      rows.map((r) => r.action),
      rows.map((r) => r.subject),
      rows.map((r) => JSON.stringify(r.payload)),
      rows.map((r) => r.payloadHash),
      times(rows.map((r) => r.at)),
    ],
  );
}
