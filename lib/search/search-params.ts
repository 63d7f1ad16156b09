import { ValidationError } from "../errors.ts";
import {
  type INCLUDE_EXTERNAL_VALUES,
  MARKET_PATTERN,
  MAX_OFFSET,
  MAX_QUERY_LENGTH,
  SEARCH_PARAMETERS,
  SEARCH_TYPES,
  type SearchType,
} from "./search-rules.ts";

/** Query parameters as API Gateway delivers them: every value a name was given. */
export type QueryValues = Readonly<Record<string, readonly string[]>>;

export interface SearchParams {
  q: string;
  types: SearchType[];
  market?: string;
  limit?: number;
  offset?: number;
  includeExternal?: (typeof INCLUDE_EXTERNAL_VALUES)[number];
}

const KNOWN = new Set<string>(SEARCH_PARAMETERS);
/** Half a UTF-16 pair cannot be percent-encoded (encodeURIComponent throws on it). */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * Validates `GET /search` query parameters against Spotify's rules before any upstream call.
 * Each error names the parameter it is about.
 */
export function parseSearchQuery(query: QueryValues, maxLimit: number): SearchParams {
  const unknown = Object.keys(query).filter((name) => !KNOWN.has(name));
  if (unknown.length > 0) {
    const list = unknown.map((name) => JSON.stringify(name)).join(", ");
    throw new ValidationError(
      `Unknown parameter${unknown.length > 1 ? "s" : ""} ${list}; allowed: ${SEARCH_PARAMETERS.join(", ")}`,
    );
  }
  const single: Record<string, string | undefined> = {};
  for (const [name, values] of Object.entries(query)) {
    if (values.length > 1) throw new ValidationError(`Parameter ${name} must be given only once`);
    single[name] = values[0];
  }
  return validateSearch(
    {
      q: single.q,
      type: single.type,
      market: single.market,
      limit: single.limit,
      offset: single.offset,
      include_external: single.include_external,
    },
    maxLimit,
  );
}

export interface RawSearch {
  q?: unknown;
  type?: unknown;
  market?: unknown;
  limit?: unknown;
  offset?: unknown;
  include_external?: unknown;
}

/** The rules themselves, shared by the API (strings) and the scheduled batch (JSON values). */
export function validateSearch(raw: RawSearch, maxLimit: number): SearchParams {
  const q = requiredText(raw.q, "q");
  if (q.length > MAX_QUERY_LENGTH && codePoints(q) > MAX_QUERY_LENGTH) {
    throw new ValidationError(`Parameter q must be at most ${MAX_QUERY_LENGTH} characters`);
  }
  const types = parseTypes(requiredText(raw.type, "type"));
  const params: SearchParams = { q, types };

  const market = optionalText(raw.market, "market");
  if (market !== undefined) {
    if (!MARKET_PATTERN.test(market)) {
      throw new ValidationError(
        "Parameter market must be an ISO 3166-1 alpha-2 country code in capitals, such as US",
      );
    }
    params.market = market;
  }

  const includeExternal = optionalText(raw.include_external, "include_external");
  if (includeExternal !== undefined) {
    if (includeExternal !== "audio") {
      throw new ValidationError(`Parameter include_external accepts only "audio"`);
    }
    params.includeExternal = includeExternal;
  }

  const limit = optionalInteger(raw.limit, "limit", 0, maxLimit);
  const offset = optionalInteger(raw.offset, "offset", 0, MAX_OFFSET) ?? 0;
  if (limit !== undefined && offset + limit > MAX_OFFSET) {
    throw new ValidationError(
      `Parameters offset and limit must add up to at most ${MAX_OFFSET} (got ${offset + limit})`,
    );
  }
  // Always explicit: Spotify's own default (5 or 20 by app mode) could exceed SPOTIFY_MAX_LIMIT
  // or run past offset 1000.
  params.limit = limit ?? Math.min(maxLimit, MAX_OFFSET - offset);
  if (raw.offset !== undefined && raw.offset !== null) params.offset = offset;
  return params;
}

function requiredText(value: unknown, name: string): string {
  if (value === undefined || value === null) {
    throw new ValidationError(`Missing required parameter ${name}`);
  }
  if (typeof value !== "string") throw new ValidationError(`Parameter ${name} must be a string`);
  if (LONE_SURROGATE.test(value))
    throw new ValidationError(`Parameter ${name} is not valid Unicode text`);
  const trimmed = value.trim();
  if (trimmed === "") throw new ValidationError(`Parameter ${name} must not be empty`);
  return trimmed;
}

function codePoints(text: string): number {
  let count = 0;
  for (const _ of text) count++;
  return count;
}

function optionalText(value: unknown, name: string): string | undefined {
  return value === undefined || value === null ? undefined : requiredText(value, name);
}

function optionalInteger(
  value: unknown,
  name: string,
  min: number,
  max: number,
): number | undefined {
  if (value === undefined || value === null) return undefined;
  const text = typeof value === "number" ? String(value) : value;
  if (typeof text !== "string" || !/^\d{1,7}$/.test(text.trim())) {
    throw new ValidationError(`Parameter ${name} must be an integer from ${min} to ${max}`);
  }
  const number = Number(text.trim());
  if (number < min || number > max) {
    throw new ValidationError(`Parameter ${name} must be an integer from ${min} to ${max}`);
  }
  return number;
}

function parseTypes(text: string): SearchType[] {
  const items = text.split(",").map((item) => item.trim());
  const types: SearchType[] = [];
  for (const item of items) {
    if (!(SEARCH_TYPES as readonly string[]).includes(item)) {
      throw new ValidationError(
        `Parameter type has an unknown value ${JSON.stringify(item)}; allowed: ${SEARCH_TYPES.join(", ")}`,
      );
    }
    if (!types.includes(item as SearchType)) types.push(item as SearchType);
  }
  return types;
}

/** encodeURIComponent, keeping `:` and `,` readable (both are legal in a query, RFC 3986 §3.4). */
export function encodeQueryValue(value: string): string {
  return encodeURIComponent(value).replace(/%3A/gi, ":").replace(/%2C/gi, ",");
}
