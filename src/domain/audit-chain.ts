/**
 * The tamper-evident audit chain. Each sealed entry's hash covers the previous
 * hash and the entry's own fields, so editing, deleting or reordering any
 * entry breaks every hash after it. Hash functions are injected so that the
 * domain stays free of Node APIs.
 */

export type Sha256 = (text: string) => string;

/** JSON with object keys sorted at every depth, so equal payloads hash equally. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

export const GENESIS_HASH = '0'.repeat(64);

export type ChainFields = {
  chainIndex: number;
  seq: string;
  actor: string;
  action: string;
  subject: string;
  at: string;
  payloadHash: string;
};

export function chainHash(sha256: Sha256, prevHash: string, entry: ChainFields): string {
  return sha256(canonicalJson({ prev: prevHash, ...entry }));
}

export type ChainEntry = ChainFields & {
  payload: unknown;
  prevHash: string | null;
  hash: string | null;
};

export type ChainVerdict =
  | { kind: 'intact'; entries: number }
  | {
      kind: 'broken';
      chainIndex: number;
      seq: string;
      reason: 'payload_altered' | 'entry_altered' | 'entry_missing' | 'order_changed';
    };

/**
 * Checks sealed entries given in chain order. Names the first entry that does
 * not fit: its payload no longer matches its hash, its fields were changed,
 * an entry before it is missing, or entries were swapped.
 */
export function verifyChain(sha256: Sha256, entries: readonly ChainEntry[]): ChainVerdict {
  let prevHash = GENESIS_HASH;
  let prevSeq = -1n;
  for (const [position, entry] of entries.entries()) {
    const at = { chainIndex: entry.chainIndex, seq: entry.seq };
    if (entry.chainIndex !== position) return { kind: 'broken', ...at, reason: 'entry_missing' };
    if (BigInt(entry.seq) <= prevSeq) return { kind: 'broken', ...at, reason: 'order_changed' };
    if (sha256(canonicalJson(entry.payload)) !== entry.payloadHash) {
      return { kind: 'broken', ...at, reason: 'payload_altered' };
    }
    const { chainIndex, seq, actor, action, subject, at: time, payloadHash } = entry;
    const fields = { chainIndex, seq, actor, action, subject, at: time, payloadHash };
    if (entry.prevHash !== prevHash || chainHash(sha256, prevHash, fields) !== entry.hash) {
      return { kind: 'broken', ...at, reason: 'entry_altered' };
    }
    prevHash = entry.hash;
    prevSeq = BigInt(entry.seq);
  }
  return { kind: 'intact', entries: entries.length };
}
