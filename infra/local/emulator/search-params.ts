import { SEARCH_TYPES, type SearchType } from "./catalogue.ts";
import type { Profile } from "./types.ts";

export const LIMITS: Record<Profile, { default: number; max: number }> = {
  development: { default: 5, max: 10 },
  extended: { default: 20, max: 50 },
};

export const MAX_OFFSET = 1000;
const UNLAUNCHED_MARKETS = new Set(["KP", "IR", "CU", "SY"]);

export interface SearchParams {
  q: string;
  types: SearchType[];
  limit: number;
  offset: number;
  market: string | undefined;
  includeExternal: string | undefined;
}

/** Validated search parameters, or the Web API 400 message. */
export type ParsedSearch = { ok: true; params: SearchParams } | { ok: false; message: string };

function isSearchType(value: string): value is SearchType {
  return (SEARCH_TYPES as readonly string[]).includes(value);
}

function parseTypes(raw: string): SearchType[] | string {
  const types: SearchType[] = [];
  for (const part of raw.split(",")) {
    const type = part.trim();
    if (!isSearchType(type)) return `Bad search type field ${type}`;
    if (!types.includes(type)) types.push(type);
  }
  return types;
}

function parseCount(raw: string | null, fallback: number): number | null {
  if (raw === null) return fallback;
  return /^\d{1,9}$/.test(raw) ? Number(raw) : null;
}

export function parseSearch(query: URLSearchParams, profile: Profile): ParsedSearch {
  const fail = (message: string): ParsedSearch => ({ ok: false, message });
  // Spotify's own href/next links spell the text `query=`, so both names are read.
  const q = query.get("q") ?? query.get("query");
  if (q === null || q.trim() === "") return fail("No search query");
  const rawType = query.get("type");
  if (rawType === null || rawType.trim() === "") return fail("Missing parameter type");
  const types = parseTypes(rawType);
  if (typeof types === "string") return fail(types);
  const market = query.get("market") ?? undefined;
  if (market !== undefined && !/^[A-Z]{2}$/.test(market)) return fail("Invalid market code");
  if (market !== undefined && UNLAUNCHED_MARKETS.has(market)) return fail("Unlaunched market");
  const { default: defaultLimit, max } = LIMITS[profile];
  const limit = parseCount(query.get("limit"), defaultLimit);
  if (limit === null || limit > max) return fail("Invalid limit");
  const offset = parseCount(query.get("offset"), 0);
  if (offset === null || offset > MAX_OFFSET || offset + limit > MAX_OFFSET) {
    return fail("Invalid offset");
  }
  const includeExternal = query.get("include_external") ?? undefined;
  if (includeExternal !== undefined && includeExternal !== "audio") {
    return fail("Invalid include_external");
  }
  return { ok: true, params: { q, types, limit, offset, market, includeExternal } };
}
