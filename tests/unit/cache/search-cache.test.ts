import { describe, expect, it } from "vitest";
import type { CacheEntry } from "../../../lib/cache/cache-entry.ts";
import { cacheKey } from "../../../lib/cache/cache-key.ts";
import { MemoryTier } from "../../../lib/cache/memory-tier.ts";
import { SearchCache, type UpstreamSearch } from "../../../lib/cache/search-cache.ts";
import { type CacheConfig, loadCacheConfig } from "../../../lib/config.ts";
import { Deadline } from "../../../lib/deadline.ts";
import {
  ConfigurationError,
  CooldownError,
  type ServiceError,
  UpstreamError,
} from "../../../lib/errors.ts";
import type { SearchParams } from "../../../lib/search/search-params.ts";
import { FakeClock } from "../../support/fake-clock.ts";
import { MemoryEntryStore } from "../../support/memory-stores.ts";
import { observed } from "../../support/observed.ts";

const API = "https://api.spotify.com/v1";
const TTL = 600_000;
const STALE = 86_400_000;
const PARAMS: SearchParams = { q: "abba", types: ["track"] };
const KEY = cacheKey(PARAMS, API);
const page = (n: number) => JSON.stringify({ tracks: { items: [], total: n } });

/** Spotify as the cache sees it: answers in turn (a text, or an error thrown), each call noted. */
function upstream(...answers: (string | ServiceError)[]) {
  const calls: { maxRetryAfterMs?: number }[] = [];
  const search: UpstreamSearch = async (_params, _deadline, options) => {
    calls.push(options);
    const answer = answers[Math.min(calls.length, answers.length) - 1];
    if (typeof answer !== "string") throw answer;
    return { text: answer };
  };
  return { search, calls };
}

interface Setup {
  config?: Partial<CacheConfig>;
  answers?: (string | ServiceError)[];
  store?: MemoryEntryStore | null;
  clock?: FakeClock;
  cooldownMs?: number;
}

/** One container's cache: its own memory tier, the fleet's store (shared when passed in). */
function cacheOf(setup: Setup = {}) {
  const clock = setup.clock ?? new FakeClock();
  const config = { ...loadCacheConfig({}), ...setup.config };
  const store = setup.store === null ? undefined : (setup.store ?? new MemoryEntryStore(clock));
  const spotify = upstream(...(setup.answers ?? [page(1)]));
  const seen = observed();
  let cooldownMs = setup.cooldownMs ?? 0;
  const cache = new SearchCache({
    search: spotify.search,
    config,
    apiUrl: API,
    clock,
    memory: new MemoryTier(1_000_000, clock),
    store,
    cooldownRemainingMs: () => cooldownMs,
    log: seen.log,
    metrics: seen.metrics,
  });
  return {
    cache,
    clock,
    store,
    spotify,
    seen,
    setCooldown: (ms: number) => {
      cooldownMs = ms;
    },
    ask: () => cache.search(PARAMS, new Deadline(clock.now() + 10_000, clock)),
  };
}

/** An entry another container stored at `storedAt` under its own rules. */
function written(storedAt: number, ttlMs: number, staleMs: number, body = page(0)): CacheEntry {
  return { body, storedAt, freshUntil: storedAt + ttlMs, staleUntil: storedAt + ttlMs + staleMs };
}

describe("SearchCache hits", () => {
  it("answers the same question again from memory while it is fresh, without the store or Spotify", async () => {
    const { ask, spotify, store, clock, seen } = cacheOf();
    const first = await ask();

    clock.advance(TTL - 1);
    const second = await ask();

    expect(second.body).toBe(first.body);
    expect(second.cache).toMatchObject({ kind: "hit", tier: "memory" });
    expect(spotify.calls).toHaveLength(1);
    expect(store?.reads).toBe(1);
    expect(seen.count("CacheMemoryHits")).toBe(1);
  });

  it("answers from the fleet's store what another container stored, and keeps it in memory", async () => {
    const clock = new FakeClock();
    const store = new MemoryEntryStore(clock);
    await cacheOf({ clock, store, answers: [page(7)] }).ask();
    const other = cacheOf({ clock, store, answers: [page(8)] });

    const answer = await other.ask();
    const again = await other.ask();

    expect(answer.body).toBe(page(7));
    expect(answer.cache).toMatchObject({ kind: "hit", tier: "shared" });
    expect(again.cache).toMatchObject({ kind: "hit", tier: "memory" });
    expect(other.spotify.calls).toHaveLength(0);
    expect(other.seen.count("CacheSharedHits")).toBe(1);
  });

  it("a shared entry is fresh only for this reader's TTL, whatever its writer allowed", async () => {
    const clock = new FakeClock();
    const store = new MemoryEntryStore(clock);
    store.items.set(KEY, { entry: written(clock.now() - 61_000, 300_000, STALE) });
    const reader = cacheOf({ clock, store, config: { ttlMs: 60_000 }, answers: [page(2)] });

    const answer = await reader.ask();

    expect(answer.cache).toMatchObject({ kind: "miss", refreshed: true });
    expect(reader.spotify.calls).toHaveLength(1);
  });

  it("a shared entry stored a little in the future (skew) is taken as stored now: fresh for this reader's TTL only", async () => {
    const clock = new FakeClock();
    const store = new MemoryEntryStore(clock);
    const year = 365 * 86_400_000;
    store.items.set(KEY, { entry: written(clock.now() + 500, year, year) });
    const reader = cacheOf({ clock, store, config: { ttlMs: 60_000 } });

    const hit = await reader.ask();

    expect(hit.cache).toMatchObject({
      kind: "hit",
      tier: "shared",
      entry: { storedAt: clock.now(), freshUntil: clock.now() + 60_000 },
    });
  });

  // Clamping a future store time to each read's now would renew it read after read.
  it("a far-future-dated shared entry is not used: the next reader asks Spotify", async () => {
    const clock = new FakeClock();
    const store = new MemoryEntryStore(clock);
    const year = 365 * 86_400_000;
    store.items.set(KEY, { entry: written(clock.now() + year, year, year) });
    await cacheOf({ clock, store, config: { ttlMs: 60_000 } }).ask();
    clock.advance(60_000);

    const later = await cacheOf({ clock, store, config: { ttlMs: 60_000 } }).ask();

    expect(later.cache.kind).toBe("miss");
  });
});

describe("SearchCache stale answers", () => {
  /** A cache holding an answer now past its TTL (inside its stale window). */
  async function pastTtl(setup: Setup) {
    const cache = cacheOf({ ...setup, answers: [page(1), ...(setup.answers ?? [])] });
    await cache.ask();
    cache.clock.advance(TTL + 1_000);
    return cache;
  }

  it("answers stale at once while the cooldown runs, without asking Spotify", async () => {
    const { ask, spotify, setCooldown } = await pastTtl({});
    setCooldown(5_000);

    const answer = await ask();

    expect(answer.body).toBe(page(1));
    expect(answer.cache).toMatchObject({ kind: "stale", forwarded: false, reason: "upstream" });
    expect(spotify.calls).toHaveLength(1);
  });

  it("asks Spotify with no rate-limit wait when it holds a stale answer", async () => {
    const { ask, spotify } = await pastTtl({ answers: [page(2)] });

    await ask();

    expect(spotify.calls).toEqual([{}, { maxRetryAfterMs: 0 }]);
  });

  it("after Spotify's 5xx, answers stale with Spotify's status, forwarded", async () => {
    const error = new UpstreamError(502, "Spotify answered 503", { upstreamStatus: 503 });
    const { ask, seen } = await pastTtl({ answers: [error] });

    const answer = await ask();

    expect(answer.body).toBe(page(1));
    expect(answer.cache).toMatchObject({
      kind: "stale",
      forwarded: true,
      upstreamStatus: 503,
      reason: "upstream",
    });
    expect(seen.count("CacheStaleAnswers:reason=upstream")).toBe(1);
    expect(seen.lines.filter((line) => line.level === "error")).toEqual([]);
  });

  it("after a timeout, answers stale with no upstream status", async () => {
    const { ask } = await pastTtl({ answers: [new UpstreamError(504, "Spotify did not answer")] });

    const answer = await ask();

    expect(answer.cache).toMatchObject({
      kind: "stale",
      forwarded: true,
      upstreamStatus: undefined,
    });
  });

  it("after Spotify's 429, answers stale; after a cooldown answer, stale and not forwarded", async () => {
    const limited = await pastTtl({
      answers: [new UpstreamError(429, "limited", { upstreamStatus: 429 })],
    });
    const cooling = await pastTtl({ answers: [new CooldownError(429, "cooling down")] });

    expect((await limited.ask()).cache).toMatchObject({
      kind: "stale",
      forwarded: true,
      upstreamStatus: 429,
    });
    expect((await cooling.ask()).cache).toMatchObject({ kind: "stale", forwarded: false });
  });

  it("after our own credentials failed, answers stale with that reason, logged as an error", async () => {
    const rejected = new UpstreamError(502, "Spotify rejected the client credentials", {
      upstreamStatus: 400,
      ownFailure: "credentials-rejected",
    });
    const { ask, seen } = await pastTtl({ answers: [rejected] });

    const answer = await ask();

    expect(answer.cache).toMatchObject({
      kind: "stale",
      forwarded: true,
      upstreamStatus: undefined,
      reason: "credentials-rejected",
    });
    expect(seen.count("CacheStaleAnswers:reason=credentials-rejected")).toBe(1);
    expect(seen.lines.filter((line) => line.level === "error")).toHaveLength(1);
  });

  it.each([
    ["Spotify's 404", new UpstreamError(404, "Not found")],
    ["Spotify's 400", new UpstreamError(400, "Bad request")],
    ["our own 500", new ConfigurationError("SPOTIFY_SECRET_ID is not set")],
  ])("never answers stale for %s: the error goes to the caller", async (_name, error) => {
    const { ask } = await pastTtl({ answers: [error] });

    await expect(ask()).rejects.toBe(error);
  });

  it("never answers stale past the stale window", async () => {
    const error = new UpstreamError(502, "Spotify answered 503", { upstreamStatus: 503 });
    const { ask, clock } = await pastTtl({ answers: [error] });
    clock.advance(STALE);

    await expect(ask()).rejects.toBe(error);
  });

  it("a reader with no stale window never answers stale from the fleet's store", async () => {
    const clock = new FakeClock();
    const store = new MemoryEntryStore(clock);
    store.items.set(KEY, { entry: written(clock.now() - TTL - 1_000, TTL, STALE) });
    const error = new UpstreamError(502, "Spotify answered 503", { upstreamStatus: 503 });
    const reader = cacheOf({ clock, store, config: { staleIfErrorMs: 0 }, answers: [error] });

    await expect(reader.ask()).rejects.toBe(error);
  });
});

describe("SearchCache misses", () => {
  it("concurrent identical misses share one upstream call", async () => {
    const { cache, clock, spotify } = cacheOf();
    const deadline = new Deadline(clock.now() + 10_000, clock);

    const answers = await Promise.all([1, 2, 3].map(() => cache.search(PARAMS, deadline)));

    expect(spotify.calls).toHaveLength(1);
    expect(new Set(answers.map((answer) => answer.body))).toEqual(new Set([page(1)]));
  });

  it("stores a miss in memory and in the fleet's store, for its TTL and stale window", async () => {
    const { ask, store, clock, seen } = cacheOf();

    const answer = await ask();

    expect(answer.cache).toEqual({ kind: "miss", stored: true, refreshed: false });
    expect(store?.items.get(KEY)?.entry).toEqual({
      body: page(1),
      storedAt: clock.now(),
      freshUntil: clock.now() + TTL,
      staleUntil: clock.now() + TTL + STALE,
    });
    expect(seen.count("CacheMisses")).toBe(1);
  });

  it("a miss that replaced an entry past its TTL says so", async () => {
    const { ask, clock } = cacheOf({ answers: [page(1), page(2)] });
    await ask();
    clock.advance(TTL);

    const answer = await ask();

    expect(answer.body).toBe(page(2));
    expect(answer.cache).toMatchObject({ kind: "miss", refreshed: true });
  });

  it("under the second-miss policy, the fleet's first miss leaves only a marker; the second stores the page", async () => {
    const clock = new FakeClock();
    const store = new MemoryEntryStore(clock);
    const config = { writePolicy: "second-miss" as const };
    const first = cacheOf({ clock, store, config });

    await first.ask();
    const marked = store.items.get(KEY);
    await cacheOf({ clock, store, config }).ask();

    expect(marked).toEqual({ missedUntil: clock.now() + TTL + STALE });
    expect(store.markers).toBe(1);
    expect(store.writes).toBe(1);
    expect(store.items.get(KEY)?.entry?.body).toBe(page(1));
  });

  it("under the second-miss policy, an entry past its TTL is replaced at once: the question was asked before", async () => {
    const clock = new FakeClock();
    const store = new MemoryEntryStore(clock);
    store.items.set(KEY, { entry: written(clock.now() - TTL - 1, TTL, STALE) });

    await cacheOf({ clock, store, config: { writePolicy: "second-miss" } }).ask();

    expect(store.markers).toBe(0);
    expect(store.items.get(KEY)?.entry?.storedAt).toBe(clock.now());
  });

  it("with the store unavailable, a miss is still answered and kept in memory", async () => {
    const clock = new FakeClock();
    const store = new MemoryEntryStore(clock);
    store.available = false;
    const { ask, spotify } = cacheOf({ clock, store });

    const first = await ask();
    const second = await ask();

    expect(first.cache).toEqual({ kind: "miss", stored: true, refreshed: false });
    expect(second.cache).toMatchObject({ kind: "hit", tier: "memory" });
    expect(spotify.calls).toHaveLength(1);
  });

  it("with a TTL of 0 the cache is bypassed: every question goes to Spotify", async () => {
    const { ask, spotify, store } = cacheOf({ config: { ttlMs: 0 } });

    const answer = await ask();
    await ask();

    expect(answer.cache).toEqual({ kind: "bypass" });
    expect(spotify.calls).toHaveLength(2);
    expect(store?.reads).toBe(0);
  });
});
