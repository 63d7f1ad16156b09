import type { CacheOutcome, SearchAnswer } from "../cache/search-cache.ts";
import type { CacheConfig } from "../config.ts";
import { type ApiResult, jsonText } from "./api-response.ts";

/** The cache's name in `Cache-Status` (RFC 9211). */
export const CACHE_NAME = "spotify-search";

/**
 * `Cache-Status` (RFC 9211), `Age` (RFC 9111) and `Cache-Control` for a 200, so a CDN or a client
 * can cache the answer too and knows how long it may serve it while we cannot answer.
 */
export function cacheHeaders(
  outcome: CacheOutcome,
  config: CacheConfig,
  now: number,
): Record<string, string> {
  if (outcome.kind === "bypass") {
    return { "cache-status": `${CACHE_NAME}; fwd=bypass`, "cache-control": "no-store" };
  }
  const staleIfError = Math.floor(config.staleIfErrorMs / 1000);
  const control = (maxAge: number) =>
    `public, max-age=${Math.max(0, maxAge)}, stale-if-error=${staleIfError}`;
  if (outcome.kind === "miss") {
    return {
      "cache-status": `${CACHE_NAME}; fwd=uri-miss${outcome.stored ? "; stored" : ""}`,
      "cache-control": control(Math.floor(config.ttlMs / 1000)),
    };
  }
  const { entry } = outcome;
  // Negative once stale (RFC 9211 §2.4); rounded towards the past so a hit never overstates.
  const ttl = Math.floor((entry.freshUntil - now) / 1000);
  const age = String(Math.max(0, Math.floor((now - entry.storedAt) / 1000)));
  if (outcome.kind === "hit") {
    return { "cache-status": `${CACHE_NAME}; hit; ttl=${ttl}`, age, "cache-control": control(ttl) };
  }
  const status =
    outcome.upstreamStatus === undefined
      ? "hit"
      : `fwd=stale; fwd-status=${outcome.upstreamStatus}`;
  return {
    "cache-status": `${CACHE_NAME}; ${status}; ttl=${Math.min(ttl, -1)}`,
    age,
    "cache-control": control(0),
  };
}

/** The 200 for a search: Spotify's body byte for byte, with the cache's headers. */
export function cachedAnswer(answer: SearchAnswer, config: CacheConfig, now: number): ApiResult {
  const result = jsonText(200, answer.body);
  Object.assign(result.headers, cacheHeaders(answer.cache, config, now));
  return result;
}
