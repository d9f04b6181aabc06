/**
 * Rendered pages per community, valid while the community's change counter
 * (its newest audit entry, written in the same transaction as every outbox
 * publication) is unchanged, and for at most `ttlMs` (overdue badges and
 * escalation levels change with time alone). A busy board then costs one
 * indexed lookup per request, not a render.
 */
export type CachedPage = { body: string; type: string };

export class PageCache {
  private readonly communities = new Map<
    string,
    { version: string; pages: Map<string, { page: CachedPage; at: number }> }
  >();

  private readonly building = new Map<string, Promise<CachedPage>>();

  constructor(
    private readonly ttlMs = 30_000,
    private readonly maxCommunities = 500,
  ) {}

  async get(
    communityId: string,
    version: string,
    key: string,
    nowMs: number,
    build: () => Promise<CachedPage>,
  ): Promise<CachedPage> {
    let entry = this.communities.get(communityId);
    if (!entry || entry.version !== version) {
      if (!entry && this.communities.size >= this.maxCommunities) {
        const oldest = this.communities.keys().next().value;
        if (oldest !== undefined) this.communities.delete(oldest);
      }
      entry = { version, pages: new Map() };
      this.communities.set(communityId, entry);
    }
    const hit = entry.pages.get(key);
    if (hit && nowMs - hit.at < this.ttlMs) return hit.page;
    // Readers arriving while a page is being built wait for that build instead
    // of starting their own: a busy board renders each page once per change.
    const flight = `${communityId}\u0000${version}\u0000${key}`;
    const pending = this.building.get(flight);
    if (pending) return pending;
    const fresh = entry;
    const promise = build()
      .then((page) => {
        fresh.pages.set(key, { page, at: nowMs });
        return page;
      })
      .finally(() => this.building.delete(flight));
    this.building.set(flight, promise);
    return promise;
  }
}
