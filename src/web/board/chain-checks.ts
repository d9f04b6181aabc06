/**
 * The audit chain's check, shared by all item pages of a community while the
 * community is unchanged and for at most `ttlMs`, the same validity as the
 * page cache: checking a chain hashes every sealed entry, so a thousand item
 * pages must not check it a thousand times.
 */
import type { BoardKeyRow, BoardReader, ChainState } from '../../app/board.ts';

export class ChainChecks {
  private readonly known = new Map<
    string,
    { version: string; at: number; state: Promise<ChainState> }
  >();

  constructor(
    private readonly reader: BoardReader,
    private readonly ttlMs = 30_000,
    private readonly maxCommunities = 500,
  ) {}

  /** The reader whose `chain` answers from this cache for the community of `row`. */
  readerFor(row: BoardKeyRow, nowMs: number): BoardReader {
    return { ...this.reader, chain: (communityId) => this.chain(communityId, row.version, nowMs) };
  }

  private chain(communityId: string, version: string, nowMs: number): Promise<ChainState> {
    const hit = this.known.get(communityId);
    if (hit && hit.version === version && nowMs - hit.at < this.ttlMs) return hit.state;
    if (!hit && this.known.size >= this.maxCommunities) this.known.clear();
    const state = this.reader.chain(communityId);
    this.known.set(communityId, { version, at: nowMs, state });
    // A failed check is not kept: the next page checks again.
    state.catch(() => this.known.delete(communityId));
    return state;
  }
}
