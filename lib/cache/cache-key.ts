import { createHash } from "node:crypto";
import type { SearchParams } from "../search/search-params.ts";

/**
 * The canonical form of a validated search: equal questions share an entry, different ones never
 * do. Types are a set (order and repeats do not matter); `limit` and `offset` are the values sent
 * to Spotify (offset absent = 0, as Spotify reads it); the API base URL keeps an emulator's answers
 * apart from Spotify's. Hashed, so any `q` fits the table's key.
 */
export function cacheKey(params: SearchParams, apiUrl: string): string {
  const canonical = JSON.stringify([
    apiUrl,
    params.q,
    [...new Set(params.types)].sort(),
    params.market ?? null,
    params.limit ?? null,
    params.offset ?? 0,
    params.includeExternal ?? null,
  ]);
  return `search#${createHash("sha256").update(canonical).digest("base64url")}`;
}
