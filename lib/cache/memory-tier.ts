import { LRUCache } from "lru-cache";
import type { Clock } from "../clock.ts";
import { type CacheEntry, isUsable } from "./cache-entry.ts";

/** Per-entry bookkeeping on top of the body (key, times, the LRU's own links). */
const ENTRY_OVERHEAD_BYTES = 256;

/**
 * Tier 1: the container's own LRU, bounded by bytes. An entry is kept until its stale window
 * ends, so it can still answer while Spotify cannot.
 */
export class MemoryTier {
  private readonly lru: LRUCache<string, CacheEntry> | undefined;

  constructor(
    maxBytes: number,
    private readonly clock: Clock,
  ) {
    if (maxBytes <= 0) return;
    this.lru = new LRUCache<string, CacheEntry>({
      maxSize: maxBytes,
      // V8 keeps a string in one or two bytes a character: count the worst case.
      sizeCalculation: (entry, key) => 2 * (entry.body.length + key.length) + ENTRY_OVERHEAD_BYTES,
    });
  }

  /** The entry while it is usable (fresh or in its stale window); expiry is by our clock. */
  get(key: string): CacheEntry | undefined {
    const entry = this.lru?.get(key);
    if (entry && !isUsable(entry, this.clock.now())) {
      this.lru?.delete(key);
      return undefined;
    }
    return entry;
  }

  /** Keeps the entry; false when it is not kept (tier off, expired, larger than the bound). */
  set(key: string, entry: CacheEntry): boolean {
    if (!this.lru || !isUsable(entry, this.clock.now())) return false;
    // lru-cache refuses an entry larger than its whole bound: it is simply not kept.
    this.lru.set(key, entry);
    return this.lru.has(key);
  }
}
