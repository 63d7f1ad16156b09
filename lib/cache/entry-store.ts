import type { Deadline } from "../deadline.ts";
import type { CacheEntry } from "./cache-entry.ts";

/** What tier 2 holds for one question. */
export interface StoredLookup {
  /** The entry as its writer stored it (the reader's own rules still apply). */
  entry: CacheEntry | undefined;
  /** The fleet missed this question before and left a marker (the second-miss write policy). */
  missedBefore: boolean;
}

/**
 * Tier 2: the store of cached answers the fleet shares. It never throws: a store that fails or is
 * slow answers `undefined` (read) or `false` (write), and the cache goes on without it.
 */
export interface EntryStore {
  read(key: string, deadline: Deadline): Promise<StoredLookup | undefined>;
  /** True when the entry is stored; false when it is not (too large, store unavailable). */
  write(key: string, entry: CacheEntry, deadline: Deadline): Promise<boolean>;
  /** Notes that the fleet missed `key` once, until `until` (epoch ms). */
  markMiss(key: string, until: number, deadline: Deadline): Promise<void>;
}
