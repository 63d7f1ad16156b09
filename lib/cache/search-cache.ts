import type { Clock } from "../clock.ts";
import type { CacheConfig } from "../config.ts";
import type { Deadline } from "../deadline.ts";
import { CooldownError, type OwnFailure, UpstreamError } from "../errors.ts";
import type { Log, MetricsSink } from "../observability/types.ts";
import type { SearchParams } from "../search/search-params.ts";
import { type CacheEntry, isFresh, isUsable, newest, underReaderRules } from "./cache-entry.ts";
import { cacheKey } from "./cache-key.ts";
import type { EntryStore } from "./entry-store.ts";
import type { MemoryTier } from "./memory-tier.ts";

/** Why a stale answer was given: Spotify could not answer, or our own credentials failed. */
export type StaleReason = "upstream" | OwnFailure;

/** How an answer was produced: what the `Cache-Status`, `Age` and `Cache-Control` headers tell. */
export type CacheOutcome =
  | { kind: "bypass" }
  | { kind: "hit"; entry: CacheEntry; tier: "memory" | "shared" }
  /** `refreshed`: an entry past its TTL (inside its stale window) was replaced. */
  | { kind: "miss"; stored: boolean; refreshed: boolean }
  /**
   * Spotify could not answer: `forwarded` is false when the cooldown answered without asking;
   * `upstreamStatus` is the status Spotify last sent, absent when it sent none.
   */
  | {
      kind: "stale";
      entry: CacheEntry;
      forwarded: boolean;
      upstreamStatus?: number;
      reason: StaleReason;
    };

export interface SearchAnswer {
  /** Spotify's body, byte for byte. */
  body: string;
  cache: CacheOutcome;
}

/** Sends one search to Spotify; `maxRetryAfterMs` 0 fails a 429 at once. */
export type UpstreamSearch = (
  params: SearchParams,
  deadline: Deadline,
  options: { maxRetryAfterMs?: number },
) => Promise<{ text: string }>;

export interface SearchCacheDeps {
  search: UpstreamSearch;
  config: CacheConfig;
  apiUrl: string;
  clock: Clock;
  memory: MemoryTier;
  /** Tier 2; absent: tier 1 only. */
  store: EntryStore | undefined;
  /** Rate-limit cooldown left (the fleet's included): while it runs, a stale entry answers. */
  cooldownRemainingMs: (now: number) => number;
  log: Log;
  metrics: MetricsSink;
}

/**
 * Spends Spotify's budget once per question: tier 1 in the container, tier 2 shared by the fleet,
 * one upstream request for concurrent identical misses, and the last good answer served while
 * Spotify cannot answer (stale-if-error, RFC 5861). Only 200s with a JSON body are stored.
 */
export class SearchCache {
  private readonly inFlight = new Map<string, Promise<SearchAnswer>>();

  constructor(private readonly deps: SearchCacheDeps) {}

  async search(params: SearchParams, deadline: Deadline): Promise<SearchAnswer> {
    const { config, clock, memory } = this.deps;
    if (config.ttlMs === 0) {
      const page = await this.deps.search(params, deadline, {});
      return { body: page.text, cache: { kind: "bypass" } };
    }
    const key = cacheKey(params, this.deps.apiUrl);
    const local = memory.get(key);
    if (local && isFresh(local, clock.now())) return this.hit(local, "memory");
    const pending = this.inFlight.get(key);
    if (pending) return pending;
    const answer = this.resolve(key, params, deadline, local).finally(() => {
      this.inFlight.delete(key);
    });
    this.inFlight.set(key, answer);
    return answer;
  }

  private async resolve(
    key: string,
    params: SearchParams,
    deadline: Deadline,
    local: CacheEntry | undefined,
  ): Promise<SearchAnswer> {
    const { clock, config, memory, store, metrics } = this.deps;
    const lookup = await store?.read(key, deadline);
    const now = clock.now();
    // Tier 2 holds what another container's rules allowed: this reader's rules win.
    const remote = lookup?.entry ? underReaderRules(lookup.entry, config, now) : undefined;
    if (remote && isFresh(remote, now)) {
      memory.set(key, remote);
      return this.hit(remote, "shared");
    }
    const fallback = newest(local, remote, now);
    if (fallback && this.deps.cooldownRemainingMs(now) > 0) {
      return this.stale(fallback, { forwarded: false, reason: "upstream" });
    }

    let page: { text: string };
    try {
      // With a stale answer in hand, a 429 is answered with it at once: no wait, no retry.
      page = await this.deps.search(params, deadline, fallback ? { maxRetryAfterMs: 0 } : {});
    } catch (error) {
      if (fallback && isUsable(fallback, clock.now()) && spotifyCouldNotAnswer(error)) {
        return this.stale(fallback, {
          forwarded: !(error instanceof CooldownError),
          upstreamStatus: error.ownFailure ? undefined : error.upstreamStatus,
          reason: error.ownFailure ?? "upstream",
        });
      }
      throw error;
    }
    metrics.count("CacheMisses");
    const storedAt = clock.now();
    const entry: CacheEntry = {
      body: page.text,
      storedAt,
      freshUntil: storedAt + config.ttlMs,
      staleUntil: storedAt + config.ttlMs + config.staleIfErrorMs,
    };
    const kept = memory.set(key, entry);
    // Awaited: a frozen container would never finish it; the store's own timeout bounds it.
    const written = store ? await this.writeShared(key, entry, lookup, remote, deadline) : false;
    return {
      body: page.text,
      cache: { kind: "miss", stored: kept || written, refreshed: fallback !== undefined },
    };
  }

  /** Tier 2's write, or under the second-miss policy only a marker on the fleet's first miss. */
  private async writeShared(
    key: string,
    entry: CacheEntry,
    lookup: { missedBefore: boolean } | undefined,
    remote: CacheEntry | undefined,
    deadline: Deadline,
  ): Promise<boolean> {
    const { store, config } = this.deps;
    if (!store) return false;
    const askedBefore = lookup?.missedBefore === true || remote !== undefined;
    if (config.writePolicy === "second-miss" && lookup && !askedBefore) {
      await store.markMiss(key, entry.staleUntil, deadline);
      return false;
    }
    return store.write(key, entry, deadline);
  }

  private hit(entry: CacheEntry, tier: "memory" | "shared"): SearchAnswer {
    this.deps.metrics.count(tier === "memory" ? "CacheMemoryHits" : "CacheSharedHits");
    return { body: entry.body, cache: { kind: "hit", entry, tier } };
  }

  private stale(
    entry: CacheEntry,
    how: { forwarded: boolean; upstreamStatus?: number; reason: StaleReason },
  ): SearchAnswer {
    const { log, metrics, clock } = this.deps;
    metrics.count("CacheStaleAnswers", 1, { reason: how.reason });
    const details = {
      reason: how.reason,
      upstreamStatus: how.upstreamStatus,
      staleForMs: clock.now() - entry.freshUntil,
    };
    // Our own failure behind a healthy-looking answer must page someone, not hide for a day.
    if (how.reason === "upstream") {
      log.info("Answering from the cache past its TTL: Spotify cannot answer", details);
    } else {
      log.error("Answering from the cache past its TTL: our own credentials failed", details);
    }
    return { body: entry.body, cache: { kind: "stale", entry, ...how } };
  }
}

/** A 429, a 5xx, a reset or a timeout: the cases stale-if-error covers (never a 4xx or our own 500s). */
function spotifyCouldNotAnswer(error: unknown): error is UpstreamError {
  return error instanceof UpstreamError && (error.status === 429 || error.status >= 502);
}
