import { describe, expect, it } from "vitest";
import type { CacheEntry } from "../../../lib/cache/cache-entry.ts";
import { loadCacheConfig } from "../../../lib/config.ts";
import { cacheHeaders } from "../../../lib/http/cache-headers.ts";

const config = loadCacheConfig({ CACHE_TTL_SECONDS: "600", CACHE_STALE_IF_ERROR_SECONDS: "86400" });
const now = 1_800_000_000_000;
const entry: CacheEntry = {
  body: "{}",
  storedAt: now - 100_500,
  freshUntil: now + 499_500,
  staleUntil: now + 86_899_500,
};

describe("cacheHeaders", () => {
  it("a fresh hit: hit with the freshness left, Age, and a public max-age", () => {
    expect(cacheHeaders({ kind: "hit", entry, tier: "memory" }, config, now)).toEqual({
      "cache-status": "spotify-search; hit; ttl=499",
      age: "100",
      "cache-control": "public, max-age=499, stale-if-error=86400",
    });
  });

  it("a miss that was stored: fwd=uri-miss; stored, and the full TTL", () => {
    expect(cacheHeaders({ kind: "miss", stored: true }, config, now)).toEqual({
      "cache-status": "spotify-search; fwd=uri-miss; stored",
      "cache-control": "public, max-age=600, stale-if-error=86400",
    });
  });

  it("stale because Spotify answered 429: fwd=stale with its status and a negative ttl", () => {
    const later = now + 700_000;
    expect(cacheHeaders({ kind: "stale", entry, upstreamStatus: 429 }, config, later)).toEqual({
      "cache-status": "spotify-search; fwd=stale; fwd-status=429; ttl=-201",
      age: "800",
      "cache-control": "public, max-age=0, stale-if-error=86400",
    });
  });

  it("stale answered by the cooldown without asking: hit with a negative ttl", () => {
    const headers = cacheHeaders({ kind: "stale", entry }, config, now + 499_600);
    expect(headers["cache-status"]).toBe("spotify-search; hit; ttl=-1");
  });

  it("caching off: bypass and no-store", () => {
    expect(cacheHeaders({ kind: "bypass" }, config, now)).toEqual({
      "cache-status": "spotify-search; fwd=bypass",
      "cache-control": "no-store",
    });
  });
});
