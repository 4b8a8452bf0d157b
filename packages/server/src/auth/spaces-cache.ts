/**
 * A bounded, expiring cache of per-user space lists, for spaces that come from the app's
 * own data (team membership) rather than from the token. Bounded in entries so memory
 * follows a limit, not the number of users ever seen; concurrent misses for one user share
 * one lookup.
 */
export interface SpacesCacheOptions {
  /** How long a looked-up list is trusted; default 60 000. */
  ttlMs?: number;
  /** Most users kept; the least recently used is dropped first. Default 10 000. */
  maxEntries?: number;
  now?: () => number;
}

interface Entry {
  spaces: Promise<readonly string[]>;
  expiresAtMs: number;
}

export class SpacesCache {
  private readonly entries = new Map<string, Entry>();
  private readonly ttlMs: number;
  private readonly maxEntries: number;
  private readonly now: () => number;

  constructor(options: SpacesCacheOptions = {}) {
    this.ttlMs = options.ttlMs ?? 60_000;
    this.maxEntries = options.maxEntries ?? 10_000;
    this.now = options.now ?? Date.now;
  }

  get(userId: string, load: () => Promise<readonly string[]>): Promise<readonly string[]> {
    const now = this.now();
    const hit = this.entries.get(userId);
    if (hit && hit.expiresAtMs > now) {
      // Re-insert to mark as recently used (Map keeps insertion order).
      this.entries.delete(userId);
      this.entries.set(userId, hit);
      return hit.spaces;
    }
    const spaces = load();
    this.entries.delete(userId);
    this.entries.set(userId, { spaces, expiresAtMs: now + this.ttlMs });
    // A failed lookup is not cached: the next request tries again.
    spaces.catch(() => {
      if (this.entries.get(userId)?.spaces === spaces) this.entries.delete(userId);
    });
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
    }
    return spaces;
  }

  /** Forgets a user's spaces, e.g. right after their team membership changed. */
  invalidate(userId?: string): void {
    if (userId === undefined) this.entries.clear();
    else this.entries.delete(userId);
  }

  get size(): number {
    return this.entries.size;
  }
}
