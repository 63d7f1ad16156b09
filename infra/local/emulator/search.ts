import { type CatalogueContext, catalogueItem, type SearchType } from "./catalogue.ts";
import { apiError, jsonReply } from "./replies.ts";
import { MAX_OFFSET, parseSearch, type SearchParams } from "./search-params.ts";
import { hash32 } from "./seed.ts";
import type { TokenState } from "./token.ts";
import type { EmulatorConfig, Reply } from "./types.ts";

const MAX_TOTAL = 2000;

export type AuthOutcome = { ok: true; token: string } | { ok: false; reply: Reply; token?: string };

const LEGACY_401: Record<"missing" | "invalid" | "expired", string> = {
  missing: "No token provided",
  invalid: "Invalid access token",
  expired: "The access token expired",
};

export function unauthorized(
  reason: "missing" | "invalid" | "expired",
  config: EmulatorConfig,
): Reply {
  const message = config.legacy401Messages
    ? LEGACY_401[reason]
    : "Missing/invalid/expired access token";
  return apiError(401, message);
}

/** Bearer authentication, checked before any parameter. */
export function authenticate(
  authorization: string | undefined,
  config: EmulatorConfig,
  check: (token: string) => TokenState,
): AuthOutcome {
  if (authorization === undefined || authorization.trim() === "") {
    return { ok: false, reply: unauthorized("missing", config) };
  }
  const match = /^Bearer(?:\s+(.*))?$/i.exec(authorization.trim());
  if (match === null) {
    return { ok: false, reply: apiError(400, "Only valid bearer authentication supported") };
  }
  const token = match[1]?.trim() ?? "";
  if (token === "") return { ok: false, reply: unauthorized("missing", config) };
  const state = check(token);
  if (state === "valid") return { ok: true, token };
  return { ok: false, reply: unauthorized(state, config), token };
}

/** Deterministic total for (q, type); q containing "zzznoresults" has none. */
export function totalFor(q: string, type: SearchType): number {
  if (q.toLowerCase().includes("zzznoresults")) return 0;
  return hash32(`${type}\u0000${q}`) % (MAX_TOTAL + 1);
}

function pageUrl(apiUrl: string, params: SearchParams, type: SearchType, offset: number): string {
  const parts = [
    `offset=${offset}`,
    `limit=${params.limit}`,
    `query=${encodeURIComponent(params.q)}`,
    `type=${type}`,
  ];
  if (params.market !== undefined) parts.push(`market=${params.market}`);
  if (params.includeExternal !== undefined)
    parts.push(`include_external=${params.includeExternal}`);
  return `${apiUrl}/search?${parts.join("&")}`;
}

function pagingObject(params: SearchParams, type: SearchType, ctx: CatalogueContext) {
  const { limit, offset } = params;
  const total = totalFor(params.q, type);
  const end = Math.min(offset + limit, total);
  const items: unknown[] = [];
  for (let index = offset; index < end; index += 1) items.push(catalogueItem(type, index, ctx));
  // No `next` that would itself be rejected as "Invalid offset".
  const hasNext = limit > 0 && offset + limit < total && offset + 2 * limit <= MAX_OFFSET;
  return {
    href: pageUrl(ctx.apiUrl, params, type, offset),
    items,
    limit,
    next: hasNext ? pageUrl(ctx.apiUrl, params, type, offset + limit) : null,
    offset,
    previous: offset > 0 ? pageUrl(ctx.apiUrl, params, type, Math.max(0, offset - limit)) : null,
    total,
  };
}

/** The answer to an authenticated, admitted search. */
export function searchReply(query: URLSearchParams, config: EmulatorConfig, apiUrl: string): Reply {
  const parsed = parseSearch(query, config.profile);
  if (!parsed.ok) return apiError(400, parsed.message);
  const { params } = parsed;
  const ctx: CatalogueContext = {
    q: params.q,
    apiUrl,
    profile: config.profile,
    market: params.market,
  };
  const body: Record<string, unknown> = {};
  for (const type of params.types) body[`${type}s`] = pagingObject(params, type, ctx);
  return jsonReply(200, body);
}
