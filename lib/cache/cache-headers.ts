import type { CacheConfig } from "../config.ts";
import type { CacheOutcome } from "./search-cache.ts";

/** The cache's name in `Cache-Status` (RFC 9211). */
export const CACHE_NAME = "spotify-search";

/**
 * Who may keep an answer: `private` when the request carried credentials (an authoriser decided
 * who may see it, so no shared cache may hand it to anyone else, RFC 9111 §3.5), else `public`.
 */
export type Visibility = "public" | "private";

/**
 * `Cache-Status` (RFC 9211), `Age` and `Cache-Control` (RFC 9111) for a 200, so a CDN or a client
 * can cache the answer too and knows how long it may serve it while we cannot answer. A kept
 * answer's `max-age` is its whole lifetime and `Age` its age (rounded up, never understated), so
 * `max-age − Age` is the freshness left, which `Cache-Status`'s `ttl` repeats.
 */
export function cacheHeaders(
  outcome: CacheOutcome,
  config: CacheConfig,
  now: number,
  visibility: Visibility,
): Record<string, string> {
  if (outcome.kind === "bypass") {
    return { "cache-status": `${CACHE_NAME}; fwd=bypass`, "cache-control": "no-store" };
  }
  const staleIfError = Math.floor(config.staleIfErrorMs / 1000);
  const control = (maxAge: number) =>
    `${visibility}, max-age=${Math.max(0, maxAge)}, stale-if-error=${staleIfError}`;
  if (outcome.kind === "miss") {
    // RFC 9211: refreshing an entry past its TTL is `fwd=stale`, and Spotify answered it 200.
    const fwd = outcome.refreshed ? "fwd=stale; fwd-status=200" : "fwd=uri-miss";
    return {
      "cache-status": `${CACHE_NAME}; ${fwd}${outcome.stored ? "; stored" : ""}`,
      "cache-control": control(Math.floor(config.ttlMs / 1000)),
    };
  }
  const { entry } = outcome;
  const lifetime = Math.floor((entry.freshUntil - entry.storedAt) / 1000);
  const age = Math.max(0, Math.ceil((now - entry.storedAt) / 1000));
  // Negative once stale (RFC 9211 §2.4).
  const ttl = lifetime - age;
  if (outcome.kind === "hit") {
    return {
      "cache-status": `${CACHE_NAME}; hit; ttl=${ttl}`,
      age: String(age),
      "cache-control": control(lifetime),
    };
  }
  let status = "hit";
  if (outcome.forwarded) {
    status =
      outcome.upstreamStatus === undefined
        ? "fwd=stale"
        : `fwd=stale; fwd-status=${outcome.upstreamStatus}`;
  }
  return {
    "cache-status": `${CACHE_NAME}; ${status}; ttl=${Math.min(ttl, -1)}`,
    age: String(age),
    "cache-control": control(0),
  };
}
