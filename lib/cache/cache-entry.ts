/** One cached answer: Spotify's body exactly as sent, and the times that decide how it may be used. */
export interface CacheEntry {
  /** Spotify's body, byte for byte. */
  body: string;
  /** When Spotify produced it (epoch ms): the base of `Age`. */
  storedAt: number;
  /** Served without asking Spotify until then (epoch ms). */
  freshUntil: number;
  /** Served while Spotify cannot answer until then (epoch ms); useless after. */
  staleUntil: number;
}

/** A fresh entry is served as is; a stale one only when Spotify cannot answer. */
export function isFresh(entry: CacheEntry, now: number): boolean {
  return now < entry.freshUntil;
}

export function isUsable(entry: CacheEntry, now: number): boolean {
  return now < entry.staleUntil;
}

/** The reader's own rules, which bound what a writer (maybe older, maybe buggy) stored. */
export interface ReaderRules {
  ttlMs: number;
  staleIfErrorMs: number;
}

/** Clocks of the fleet's containers agree this closely; a later store time is a writer's bug. */
const MAX_CLOCK_SKEW_MS = 1_000;

/**
 * An entry from tier 2 under this reader's rules: fresh at most its TTL from when it was stored,
 * stale-usable at most its stale-if-error window after that. A store time a little in the future
 * (clock skew) is taken as now; one further ahead is not to be trusted at all (undefined), since
 * clamping it to each read's now would renew it read after read.
 */
export function underReaderRules(
  entry: CacheEntry,
  rules: ReaderRules,
  now: number,
): CacheEntry | undefined {
  if (entry.storedAt > now + MAX_CLOCK_SKEW_MS) return undefined;
  const storedAt = Math.min(entry.storedAt, now);
  const freshUntil = Math.min(entry.freshUntil, storedAt + rules.ttlMs);
  const staleUntil = Math.min(entry.staleUntil, freshUntil + rules.staleIfErrorMs);
  return { body: entry.body, storedAt, freshUntil, staleUntil };
}

/** The entry with the most freshness left, of those still usable. */
export function newest(
  a: CacheEntry | undefined,
  b: CacheEntry | undefined,
  now: number,
): CacheEntry | undefined {
  const usable = [a, b].filter((entry): entry is CacheEntry => !!entry && isUsable(entry, now));
  return usable.sort((x, y) => y.freshUntil - x.freshUntil)[0];
}
