/** Spotify's search parameter rules (official spec, 2026). The OpenAPI document must agree. */
export const SEARCH_TYPES = [
  "album",
  "artist",
  "playlist",
  "track",
  "show",
  "episode",
  "audiobook",
] as const;
export type SearchType = (typeof SEARCH_TYPES)[number];

export const INCLUDE_EXTERNAL_VALUES = ["audio"] as const;

/** Highest `offset`, and highest `offset + limit`. */
export const MAX_OFFSET = 1000;

/** Spotify's cap on `limit` for extended-quota apps; development-mode apps get 10. */
export const MAX_LIMIT_CEILING = 50;
export const DEFAULT_MAX_LIMIT = 10;

/** The only query parameters `GET /search` accepts; anything else is a 400. */
export const SEARCH_PARAMETERS = [
  "q",
  "type",
  "market",
  "limit",
  "offset",
  "include_external",
] as const;
export type SearchParameter = (typeof SEARCH_PARAMETERS)[number];

/**
 * More query parameters than this is a 400 before any is validated: six are known and each may be
 * given once, so a larger count is never valid, and the cap keeps the parse bounded.
 */
export const MAX_QUERY_PARAMETERS = 32;

/**
 * Longest `q`, in characters (code points), after trimming. Spotify documents no limit but has
 * refused long ones (404 past 100 characters in 2022, spotipy#845); the cap bounds our own work
 * and the URL we send.
 */
export const MAX_QUERY_LENGTH = 250;

export const MARKET_PATTERN = /^[A-Z]{2}$/;
