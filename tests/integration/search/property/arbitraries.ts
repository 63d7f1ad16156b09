import fc from "fast-check";
import { expect } from "vitest";
import type { RecordedRequest } from "../../../../infra/local/emulator/types.ts";
import type { SearchParams } from "../../../../lib/search/search-params.ts";
import { SEARCH_PARAMETERS, SEARCH_TYPES } from "../../../../lib/search/search-rules.ts";

/**
 * Names `{}` already answers to ("constructor", "toString", "__proto__", …). fast-check's string
 * arbitraries inject them on purpose too; they once crashed lib/http/api-event.ts (500), so the
 * generators below use them on purpose as well.
 */
export const PROTOTYPE_NAMES: readonly string[] = [
  ...Object.getOwnPropertyNames(Object.prototype),
  "__proto__",
];

/** Markets Spotify (and the emulator) refuse with 400 "Unlaunched market" though well-formed. */
export const UNLAUNCHED_MARKETS = ["KP", "IR", "CU", "SY"];

/** One `name=value` pair after decoding (what the service should see). */
export type Pair = readonly [string, string];

const space = fc.constantFrom("", " ", "  ", "\t", "\u00a0", "\n");
const padded = (arb: fc.Arbitrary<string>) =>
  fc.tuple(space, arb, space).map(([before, value, after]) => `${before}${value}${after}`);

const textUnit = fc.oneof(
  { weight: 6, arbitrary: fc.string({ unit: "grapheme", minLength: 1, maxLength: 12 }) },
  { weight: 3, arbitrary: fc.string({ unit: "binary", minLength: 1, maxLength: 8 }) },
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      "&",
      "#",
      "+",
      "=",
      "?",
      "%",
      "%20",
      "%zz",
      "%E2%82",
      "a:b",
      "artist:",
      "year:1955-1960",
      ",",
      "/",
      ";",
      "tag:new",
      "🎵",
      "Björk",
      "방탄소년단",
      "\u200b",
    ),
  },
);

/** Search text: mostly meaningful, sometimes blank or full of URL metacharacters. */
export const qValue = fc.oneof(
  {
    weight: 8,
    arbitrary: fc.array(textUnit, { minLength: 1, maxLength: 4 }).map((parts) => parts.join(" ")),
  },
  { weight: 1, arbitrary: fc.constantFrom("", " ", "\u3000", "\t\n", "+") },
  { weight: 1, arbitrary: padded(fc.constantFrom("BTS", "abba", "tom & jerry", "100%")) },
);

const typeItem = fc.oneof(
  { weight: 10, arbitrary: fc.constantFrom(...SEARCH_TYPES) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      "",
      "Artist",
      "artists",
      "singer",
      "TRACK",
      "podcast",
      "album;track",
    ),
  },
);
export const typeValue = fc
  .array(padded(typeItem), { minLength: 1, maxLength: 4 })
  .map((items) => items.join(","));

export const marketValue = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.stringMatching(/^[A-Z]{2}$/).filter((code) => !UNLAUNCHED_MARKETS.includes(code)),
  },
  { weight: 3, arbitrary: fc.constantFrom("US", "GB", "SE", "JP", "BR", " DE ") },
  { weight: 2, arbitrary: fc.constantFrom("", "us", "Us", "USA", "U", "U1", "ÜS", "U S", "12") },
);

const BOUNDARIES = [0, 1, 4, 5, 6, 9, 10, 11, 20, 49, 50, 51, 989, 990, 991, 995, 999, 1000, 1001];
const countValue = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...BOUNDARIES).map(String) },
  { weight: 3, arbitrary: fc.integer({ min: 0, max: 1100 }).map(String) },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      "",
      " 5 ",
      "-1",
      "-0",
      "+5",
      "2.5",
      "1e1",
      "0x5",
      "five",
      "007",
      "0000000",
      "00000000",
      "9999999",
      "１０",
      "NaN",
    ),
  },
);
export const limitValue = fc.oneof(
  { weight: 1, arbitrary: fc.integer({ min: 0, max: 10 }).map(String) },
  { weight: 1, arbitrary: countValue },
);
export const offsetValue = countValue;

export const includeExternalValue = fc.oneof(
  { weight: 4, arbitrary: fc.constant("audio") },
  { weight: 1, arbitrary: fc.constantFrom("", "AUDIO", "video", " audio ", "audio,video") },
);

const VALUE_FOR: Record<(typeof SEARCH_PARAMETERS)[number], fc.Arbitrary<string>> = {
  q: qValue,
  type: typeValue,
  market: marketValue,
  limit: limitValue,
  offset: offsetValue,
  include_external: includeExternalValue,
};

/** Names the service must refuse: look-alikes of the known ones and arbitrary text. */
export const unknownName = fc
  .oneof(
    {
      weight: 3,
      arbitrary: fc.constantFrom(
        "Q",
        "TYPE",
        "query",
        "types",
        "Limit",
        "q ",
        " q",
        "q[]",
        "colour",
        "",
        "include-external",
        "includeExternal",
        "offset%",
        "🎵",
      ),
    },
    { weight: 1, arbitrary: fc.constantFrom(...PROTOTYPE_NAMES) },
    { weight: 2, arbitrary: fc.string({ unit: "grapheme", maxLength: 8 }) },
  )
  .filter((name) => !(SEARCH_PARAMETERS as readonly string[]).includes(name));

/**
 * Decoded query pairs, biased toward requests that pass: q and type are usually there, the
 * optional parameters now and then, plus occasional repeats of known names and unknown names.
 */
export const queryPairs: fc.Arbitrary<Pair[]> = fc
  .tuple(
    fc.option(qValue, { freq: 12 }),
    fc.option(typeValue, { freq: 12 }),
    fc.option(marketValue, { freq: 2 }),
    fc.option(limitValue, { freq: 2 }),
    fc.option(offsetValue, { freq: 2 }),
    fc.option(includeExternalValue, { freq: 2 }),
    fc.oneof(
      { weight: 6, arbitrary: fc.constant([] as Pair[]) },
      {
        weight: 1,
        arbitrary: fc.array(
          fc
            .constantFrom(...SEARCH_PARAMETERS)
            .chain((name) => VALUE_FOR[name].map((v): Pair => [name, v])),
          { minLength: 1, maxLength: 2 },
        ),
      },
      {
        weight: 1,
        arbitrary: fc.array(fc.tuple(unknownName, fc.string({ maxLength: 6 })), {
          minLength: 1,
          maxLength: 2,
        }),
      },
    ),
  )
  .chain(([q, type, market, limit, offset, includeExternal, extra]) => {
    const pairs: Pair[] = [];
    if (q !== null) pairs.push(["q", q]);
    if (type !== null) pairs.push(["type", type]);
    if (market !== null) pairs.push(["market", market]);
    if (limit !== null) pairs.push(["limit", limit]);
    if (offset !== null) pairs.push(["offset", offset]);
    if (includeExternal !== null) pairs.push(["include_external", includeExternal]);
    pairs.push(...extra);
    return fc.shuffledSubarray(pairs, { minLength: pairs.length, maxLength: pairs.length });
  });

/** How a pair is written into a raw query string. */
type Encoding = "component" | "plus" | "raw" | "lower-hex";

function encode(text: string, how: Encoding): string {
  switch (how) {
    case "component":
      return encodeURIComponent(text);
    case "plus":
      return encodeURIComponent(text).replace(/%20/g, "+");
    case "lower-hex":
      return encodeURIComponent(text).replace(/%[0-9A-F]{2}/g, (hex) => hex.toLowerCase());
    case "raw":
      // What a careless client sends: & # + = % unescaped, so the text may split or change.
      return text;
  }
}

const encoding = fc.oneof(
  { weight: 6, arbitrary: fc.constant<Encoding>("component") },
  { weight: 2, arbitrary: fc.constant<Encoding>("plus") },
  { weight: 1, arbitrary: fc.constant<Encoding>("lower-hex") },
  { weight: 2, arbitrary: fc.constant<Encoding>("raw") },
);

/** A raw query string built from pairs, each written with its own encoding. */
export const rawQueryFromPairs: fc.Arbitrary<string> = queryPairs.chain((pairs) =>
  fc
    .tuple(
      fc.array(encoding, { minLength: pairs.length, maxLength: pairs.length }),
      fc.constantFrom("&", "&", "&", "&&"),
    )
    .map(([how, separator]) =>
      pairs
        .map(([name, value], index) => {
          const mode = how[index] ?? "component";
          return `${encode(name, mode === "raw" ? "component" : mode)}=${encode(value, mode)}`;
        })
        .join(separator),
    ),
);

/** Raw query strings as byte soup: metacharacters, escapes (good and broken) and names. */
export const chaoticRawQuery: fc.Arbitrary<string> = fc
  .array(
    fc.oneof(
      {
        weight: 4,
        arbitrary: fc.constantFrom(
          "&",
          "=",
          "#",
          "+",
          "%",
          "%2",
          "%20",
          "%26",
          "%3D",
          "%zz",
          "%E2%82",
          "%C3%A9",
          "%ED%A0%80",
          "%00",
          "?",
          ";",
        ),
      },
      {
        weight: 4,
        arbitrary: fc.constantFrom(
          "q=",
          "type=",
          "limit=",
          "offset=",
          "market=",
          "include_external=",
        ),
      },
      {
        weight: 3,
        arbitrary: fc.constantFrom("artist", "track", "album,show", "BTS", "10", "0", "1000", "US"),
      },
      { weight: 3, arbitrary: fc.string({ unit: "grapheme", maxLength: 4 }) },
      { weight: 1, arbitrary: fc.constantFrom(...PROTOTYPE_NAMES).map((name) => `${name}=`) },
    ),
    { maxLength: 14 },
  )
  .map((parts) => parts.join(""));

export const goodMethod = fc.constantFrom("GET", "GET", "GET", "GET", "get", "Get", "gEt");
export const otherMethod = fc.oneof(
  fc.constantFrom(
    "POST",
    "PUT",
    "DELETE",
    "PATCH",
    "HEAD",
    "OPTIONS",
    "post",
    "TRACE",
    "",
    " GET",
    "GETS",
  ),
  fc.string({ maxLength: 6 }).filter((method) => method.toUpperCase() !== "GET"),
);
export const anyMethod = fc.oneof(
  { weight: 9, arbitrary: goodMethod },
  { weight: 1, arbitrary: otherMethod },
);

/** The query the emulator should have recorded for these accepted parameters. */
export function wireQuery(params: SearchParams): Record<string, string> {
  const query: Record<string, string> = { q: params.q, type: params.types.join(",") };
  if (params.market !== undefined) query.market = params.market;
  if (params.limit !== undefined) query.limit = String(params.limit);
  if (params.offset !== undefined) query.offset = String(params.offset);
  if (params.includeExternal !== undefined) query.include_external = params.includeExternal;
  return query;
}

/** Asserts the body is exactly Spotify's error shape with the answer's own status. */
export function expectErrorShape(result: { statusCode: number; body?: string }): string {
  const body = JSON.parse(result.body ?? "null");
  expect(body).toEqual({ error: { status: result.statusCode, message: expect.any(String) } });
  const message = (body as { error: { message: string } }).error.message;
  expect(message.length).toBeGreaterThan(0);
  return message;
}

export function searchesIn(requests: readonly RecordedRequest[]): RecordedRequest[] {
  return requests.filter((request) => request.endpoint === "search");
}
