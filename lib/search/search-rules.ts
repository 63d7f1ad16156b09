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

export const MARKET_PATTERN = /^[A-Z]{2}$/;
