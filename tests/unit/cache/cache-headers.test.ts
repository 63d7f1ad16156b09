import CachePolicy from "http-cache-semantics";
import { describe, expect, it } from "vitest";
import type { CacheEntry } from "../../../lib/cache/cache-entry.ts";
import { cacheHeaders } from "../../../lib/cache/cache-headers.ts";
import { loadCacheConfig } from "../../../lib/config.ts";

const config = loadCacheConfig({ CACHE_TTL_SECONDS: "600", CACHE_STALE_IF_ERROR_SECONDS: "86400" });
const now = 1_800_000_000_000;
const entry: CacheEntry = {
  body: "{}",
  storedAt: now - 100_500,
  freshUntil: now + 499_500,
  staleUntil: now + 86_899_500,
};

describe("cacheHeaders", () => {
  it("a fresh hit: max-age is the whole lifetime, Age the age rounded up, ttl what is left", () => {
    expect(cacheHeaders({ kind: "hit", entry, tier: "memory" }, config, now, "public")).toEqual({
      "cache-status": "spotify-search; hit; ttl=499",
      age: "101",
      "cache-control": "public, max-age=600, stale-if-error=86400",
    });
  });

  it("a request with credentials: the same answer is private", () => {
    const headers = cacheHeaders({ kind: "hit", entry, tier: "shared" }, config, now, "private");
    expect(headers["cache-control"]).toBe("private, max-age=600, stale-if-error=86400");
  });

  it("a miss that was stored: fwd=uri-miss; stored, and the full TTL", () => {
    const miss = { kind: "miss", stored: true, refreshed: false } as const;
    expect(cacheHeaders(miss, config, now, "public")).toEqual({
      "cache-status": "spotify-search; fwd=uri-miss; stored",
      "cache-control": "public, max-age=600, stale-if-error=86400",
    });
  });

  it("a refresh of an entry past its TTL: fwd=stale with Spotify's 200 (RFC 9211), stored", () => {
    const refresh = { kind: "miss", stored: true, refreshed: true } as const;
    expect(cacheHeaders(refresh, config, now, "public")["cache-status"]).toBe(
      "spotify-search; fwd=stale; fwd-status=200; stored",
    );
  });

  it("stale because Spotify answered 429: fwd=stale with its status and a negative ttl", () => {
    const later = now + 700_000;
    const stale = {
      kind: "stale",
      entry,
      forwarded: true,
      upstreamStatus: 429,
      reason: "upstream",
    } as const;
    expect(cacheHeaders(stale, config, later, "public")).toEqual({
      "cache-status": "spotify-search; fwd=stale; fwd-status=429; ttl=-201",
      age: "801",
      "cache-control": "public, max-age=0, stale-if-error=86400",
    });
  });

  it("stale after a timeout or a reset: fwd=stale without fwd-status (Spotify sent none)", () => {
    const stale = { kind: "stale", entry, forwarded: true, reason: "upstream" } as const;
    expect(cacheHeaders(stale, config, now + 700_000, "public")["cache-status"]).toBe(
      "spotify-search; fwd=stale; ttl=-201",
    );
  });

  it("stale answered by the cooldown without asking: hit with a negative ttl", () => {
    const stale = { kind: "stale", entry, forwarded: false, reason: "upstream" } as const;
    const headers = cacheHeaders(stale, config, now + 499_600, "public");
    expect(headers["cache-status"]).toBe("spotify-search; hit; ttl=-1");
  });

  it("caching off: bypass and no-store", () => {
    expect(cacheHeaders({ kind: "bypass" }, config, now, "public")).toEqual({
      "cache-status": "spotify-search; fwd=bypass",
      "cache-control": "no-store",
    });
  });
});

describe("a third-party RFC 9111 cache (http-cache-semantics) reads our hit right", () => {
  /** How long the library would keep our hit, asked at `now`, as a shared cache does. */
  function freshnessSeen(ageMs: number, lifetimeS: number) {
    const stored: CacheEntry = {
      body: "{}",
      storedAt: now - ageMs,
      freshUntil: now - ageMs + lifetimeS * 1000,
      staleUntil: now + 86_400_000,
    };
    const headers = cacheHeaders(
      { kind: "hit", entry: stored, tier: "shared" },
      config,
      now,
      "public",
    );
    const policy = new CachePolicy(
      { url: "/search?q=a&type=artist", method: "GET", headers: {} },
      { status: 200, headers },
      { shared: true },
    );
    return { policy, ttl: Number(/ttl=(-?\d+)/.exec(headers["cache-status"] ?? "")?.[1]) };
  }

  it("a 20 s entry asked at 12 s is fresh for the 8 s left, not stale (Age is not counted twice)", () => {
    const { policy, ttl } = freshnessSeen(12_000, 20);
    expect(policy.stale()).toBe(false);
    expect(policy.maxAge() - policy.age()).toBeCloseTo(8, 1);
    expect(ttl).toBe(8);
  });

  it.each([
    [0, 600],
    [100_500, 600],
    [599_000, 600],
    [2_300, 5],
  ])(
    "age %i ms of a %i s entry: the library's freshness left is exactly our ttl",
    (ageMs, lifetime) => {
      const { policy, ttl } = freshnessSeen(ageMs, lifetime);
      expect(policy.maxAge() - policy.age()).toBeCloseTo(ttl, 1);
      expect(policy.stale()).toBe(ttl <= 0);
    },
  );

  it("a request that carried Authorization is answered private: no shared cache keeps it", () => {
    const headers = cacheHeaders({ kind: "hit", entry, tier: "shared" }, config, now, "private");
    const policy = new CachePolicy(
      { url: "/search?q=a&type=artist", method: "GET", headers: { authorization: "Bearer x" } },
      { status: 200, headers },
      { shared: true },
    );
    expect(policy.storable()).toBe(false);
  });
});
