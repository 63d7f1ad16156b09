import { decodeEntry, type TableItem } from "../aws/cache-table.ts";
import type { Clock } from "../clock.ts";
import type { CacheConfig } from "../config.ts";
import type { Deadline } from "../deadline.ts";
import { UpstreamError } from "../errors.ts";
import type { Log, MetricsSink } from "../observability/types.ts";
import type { SearchParams } from "../search/search-params.ts";
import type { FleetCooldown } from "../spotify/fleet-cooldown.ts";
import type { SpotifyPage } from "../spotify/spotify-client.ts";
import { type CacheEntry, isFresh, isUsable, newest } from "./cache-entry.ts";
import { cacheKey } from "./cache-key.ts";
import type { MemoryTier } from "./memory-tier.ts";
import type { SharedTier } from "./shared-tier.ts";

/** How an answer was produced: what the `Cache-Status`, `Age` and `Cache-Control` headers tell. */
export type CacheOutcome =
  | { kind: "bypass" }
  | { kind: "hit"; entry: CacheEntry; tier: "memory" | "shared" }
  | { kind: "miss"; stored: boolean }
  /** Spotify could not answer; `upstreamStatus` is absent when the cooldown answered unasked. */
  | { kind: "stale"; entry: CacheEntry; upstreamStatus?: number };

export interface SearchAnswer {
  /** Spotify's body, byte for byte. */
  body: string;
  cache: CacheOutcome;
}

export interface SearchCacheDeps {
  search: (params: SearchParams, deadline: Deadline) => Promise<SpotifyPage>;
  config: CacheConfig;
  apiUrl: string;
  clock: Clock;
  memory: MemoryTier;
  shared: SharedTier | undefined;
  /** The fleet's shared cooldown, read in the same round trip as tier 2 (absent: per container). */
  fleet: FleetCooldown | undefined;
  /** The container's rate-limit cooldown: while it runs, a stale entry answers without asking. */
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
      await this.readShared([], deadline);
      const page = await this.deps.search(params, deadline);
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
    const { clock, memory, shared, metrics } = this.deps;
    const items = await this.readShared([key], deadline);
    const remote = decodeEntry(items?.get(key));
    if (remote && isFresh(remote, clock.now())) {
      memory.set(key, remote);
      return this.hit(remote, "shared");
    }
    const fallback = newest(local, remote, clock.now());
    if (fallback && this.deps.cooldownRemainingMs(clock.now()) > 0) return this.stale(fallback);

    let page: SpotifyPage;
    try {
      page = await this.deps.search(params, deadline);
    } catch (error) {
      if (fallback && isUsable(fallback, clock.now()) && spotifyCouldNotAnswer(error)) {
        return this.stale(fallback, error.status);
      }
      throw error;
    }
    metrics.count("CacheMisses");
    const now = clock.now();
    const entry: CacheEntry = {
      body: page.text,
      storedAt: now,
      freshUntil: now + this.deps.config.ttlMs,
      staleUntil: now + this.deps.config.ttlMs + this.deps.config.staleIfErrorMs,
    };
    const kept = memory.set(key, entry);
    // Awaited: a frozen container would never finish it; the tier's own timeout bounds it.
    const written = shared ? await shared.write(key, entry, deadline) : false;
    return { body: page.text, cache: { kind: "miss", stored: kept || written } };
  }

  /**
   * Tier 2's items for `keys` and, in the same round trip, the fleet's cooldown record, which
   * goes into this container's own cooldown before anything calls Spotify.
   */
  private async readShared(
    keys: string[],
    deadline: Deadline,
  ): Promise<Map<string, TableItem> | undefined> {
    const { shared, fleet } = this.deps;
    const all = fleet ? [...keys, fleet.key] : keys;
    if (!shared || all.length === 0) return undefined;
    const items = await shared.readItems(all, deadline);
    if (items && fleet) fleet.observe(items.get(fleet.key));
    return items;
  }

  private hit(entry: CacheEntry, tier: "memory" | "shared"): SearchAnswer {
    this.deps.metrics.count(tier === "memory" ? "CacheMemoryHits" : "CacheSharedHits");
    return { body: entry.body, cache: { kind: "hit", entry, tier } };
  }

  private stale(entry: CacheEntry, upstreamStatus?: number): SearchAnswer {
    this.deps.metrics.count("CacheStaleAnswers");
    this.deps.log.info("Answering from the cache past its TTL: Spotify cannot answer", {
      upstreamStatus,
      staleForMs: this.deps.clock.now() - entry.freshUntil,
    });
    return { body: entry.body, cache: { kind: "stale", entry, upstreamStatus } };
  }
}

/** A 429, a 5xx, a reset or a timeout: the cases stale-if-error covers (never a 4xx or our own 500s). */
function spotifyCouldNotAnswer(error: unknown): error is UpstreamError {
  return error instanceof UpstreamError && (error.status === 429 || error.status >= 502);
}
