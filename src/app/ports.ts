/**
 * The ports the use cases talk through. Adapters (src/store, workers, bots)
 * implement them; tests use in-memory or real implementations. Time and ids
 * enter the core only through Clock and IdSource.
 */
import type { Role } from './roster-row.ts';

export interface Clock {
  /** The current instant. Read once per use case and passed down. */
  now(): Date;
}

export interface IdSource {
  /** A new unique id (UUID text). */
  next(): string;
}

export interface RandomSource {
  /** `count` cryptographically random integers in [0, below). */
  ints(count: number, below: number): number[];
}

export type Platform = 'telegram' | 'slack';

export type CommunityRecord = {
  id: string;
  name: string;
  timezone: string;
  locale: 'zh-CN' | 'en';
  /** The policy overrides as stored (JSON file form); resolve with domain/policy. */
  policy: Record<string, unknown>;
};

export type AuditInput = {
  communityId: string;
  /** Who acted: `resident:<id>`, `cli`, `system`. */
  actor: string;
  /** What happened, dotted: `roster.imported`, `household.joined`. */
  action: string;
  /** What it happened to: `community:<id>`, `household:<id>`. */
  subject: string;
  payload: Record<string, unknown>;
  at: Date;
};

/** A roster row after validation: one resident of one household. */
export type RosterEntry = {
  line: number;
  building: string;
  unit: string;
  name: string;
  roles: Role[];
  executingUnit: string | undefined;
  telegramUserId: string | undefined;
  slackUserId: string | undefined;
};

export type RosterImportSummary = {
  created: number;
  updated: number;
  unchanged: number;
  households: number;
  buildings: number;
};

export type JoinCodeGrant = { householdId: string; building: string; unit: string; codeHash: string };

export type JoinRedemption =
  | { kind: 'joined'; communityId: string; communityName: string; building: string; unit: string; residentId: string }
  | { kind: 'code_unknown' }
  | { kind: 'code_used' }
  | { kind: 'already_linked'; building: string; unit: string };

export interface CommunityStore {
  create(community: CommunityRecord, audit: AuditInput): Promise<void>;
  get(id: string): Promise<CommunityRecord | undefined>;
}

export interface RosterStore {
  /**
   * Upserts every entry in one transaction (keyed by building, unit, name);
   * entries equal to what is stored change nothing.
   */
  apply(
    communityId: string,
    entries: readonly RosterEntry[],
    ids: IdSource,
    audit: Omit<AuditInput, 'payload'>,
  ): Promise<RosterImportSummary>;
  /** Every household of the community with its building name, in roster order. */
  households(communityId: string): Promise<{ id: string; building: string; unit: string }[]>;
}

export interface JoinCodeStore {
  /** Stores the new code hashes, revoking earlier unused codes of the same households. */
  replace(
    communityId: string,
    grants: readonly JoinCodeGrant[],
    ids: IdSource,
    audit: Omit<AuditInput, 'payload'>,
  ): Promise<void>;
  /**
   * Consumes the code with this hash and links the chat account to a resident
   * of its household, atomically: a code is used at most once.
   */
  redeem(
    codeHash: string,
    identity: { platform: Platform; userId: string },
    ids: IdSource,
    at: Date,
  ): Promise<JoinRedemption>;
}

export type ChatBindingInput = {
  communityId: string;
  platform: Platform;
  chatId: string;
  building: string | undefined;
};

export type ChatBindingOutcome =
  | { kind: 'bound'; id: string; buildingId: string | null }
  | { kind: 'building_unknown'; building: string };

export interface ChatBindingStore {
  /** Binds (or re-binds) a chat to a community and optional building. */
  bind(input: ChatBindingInput, ids: IdSource, audit: Omit<AuditInput, 'payload'>): Promise<ChatBindingOutcome>;
}
