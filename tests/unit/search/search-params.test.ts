import { describe, expect, it } from "vitest";
import { ValidationError } from "../../../lib/errors.ts";
import type { QueryValues } from "../../../lib/search/search-params.ts";
import { parseSearchQuery, validateSearch } from "../../../lib/search/search-params.ts";
import {
  MAX_OFFSET,
  MAX_QUERY_LENGTH,
  SEARCH_PARAMETERS,
  SEARCH_TYPES,
} from "../../../lib/search/search-rules.ts";

const MAX_LIMIT = 10;

/** Builds API Gateway-style query values from single strings. */
function query(values: Record<string, string>): QueryValues {
  return Object.fromEntries(Object.entries(values).map(([name, value]) => [name, [value]]));
}

function refusal(values: QueryValues, maxLimit = MAX_LIMIT): ValidationError {
  try {
    parseSearchQuery(values, maxLimit);
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return error as ValidationError;
  }
  throw new Error(`expected a refusal for ${JSON.stringify(values)}`);
}

describe("parseSearchQuery: q", () => {
  it("requires q and names it when it is missing", () => {
    const error = refusal(query({ type: "artist" }));

    expect(error.status).toBe(400);
    expect(error.message).toBe("Missing required parameter q");
  });

  it.each(["", " ", "   \t\n ", "\u00a0\u2003"])("refuses a blank q %j", (q) => {
    expect(refusal(query({ q, type: "artist" })).message).toBe("Parameter q must not be empty");
  });

  it("trims q but keeps its inner spaces and field filters", () => {
    const params = parseSearchQuery(
      query({ q: "  artist:Miles Davis  year:1955 ", type: "album" }),
      10,
    );

    expect(params).toEqual({ q: "artist:Miles Davis  year:1955", types: ["album"], limit: 10 });
  });

  it("keeps & # + ? and % in q untouched", () => {
    const q = "tom & jerry #1 + friends? 100%";

    expect(parseSearchQuery(query({ q, type: "track" }), MAX_LIMIT).q).toBe(q);
  });
});

describe(`query size: q is at most ${MAX_QUERY_LENGTH} characters`, () => {
  it(`accepts a q of ${MAX_QUERY_LENGTH} characters, counting astral characters once`, () => {
    const plain = "a".repeat(MAX_QUERY_LENGTH);
    const astral = "🎵".repeat(MAX_QUERY_LENGTH);

    expect(parseSearchQuery({ q: [plain], type: ["track"] }, 10).q).toBe(plain);
    expect(parseSearchQuery({ q: [astral], type: ["track"] }, 10).q).toBe(astral);
  });

  it("refuses a longer q with a 400 naming q", () => {
    const error = refusal(query({ q: "a".repeat(MAX_QUERY_LENGTH + 1), type: "track" }));

    expect(error.message).toBe(`Parameter q must be at most ${MAX_QUERY_LENGTH} characters`);
  });

  it("measures q after trimming", () => {
    const q = ` ${"a".repeat(MAX_QUERY_LENGTH)} `;

    expect(parseSearchQuery({ q: [q], type: ["track"] }, 10).q).toHaveLength(MAX_QUERY_LENGTH);
  });
});

describe("parseSearchQuery: text that is not valid Unicode", () => {
  it.each([
    ["q", "abc\ud800"],
    ["q", "\udc00abc"],
    ["q", "\ud83c"],
    ["type", "artist\ud800"],
    ["market", "U\udfff"],
    ["include_external", "audio\ud800"],
  ])("refuses %s holding a lone surrogate %j", (name, value) => {
    const values: Record<string, string> = { q: "x", type: "track" };
    values[name] = value;

    expect(refusal(query(values)).message).toBe(`Parameter ${name} is not valid Unicode text`);
  });

  it("accepts well-formed surrogate pairs", () => {
    expect(parseSearchQuery(query({ q: "🎵 \ud83c\udfb5", type: "track" }), MAX_LIMIT).q).toBe(
      "🎵 🎵",
    );
  });
});

describe("parseSearchQuery: type", () => {
  it("requires type", () => {
    expect(refusal(query({ q: "BTS" })).message).toBe("Missing required parameter type");
  });

  it("refuses a blank type", () => {
    expect(refusal(query({ q: "BTS", type: "  " })).message).toBe(
      "Parameter type must not be empty",
    );
  });

  it("accepts every Spotify type, alone and all together in order", () => {
    for (const type of SEARCH_TYPES) {
      expect(parseSearchQuery(query({ q: "x", type }), MAX_LIMIT).types).toEqual([type]);
    }
    const all = parseSearchQuery(query({ q: "x", type: SEARCH_TYPES.join(",") }), MAX_LIMIT);
    expect(all.types).toEqual([...SEARCH_TYPES]);
  });

  it("trims each item of the list", () => {
    expect(parseSearchQuery(query({ q: "x", type: " album , track " }), MAX_LIMIT).types).toEqual([
      "album",
      "track",
    ]);
  });

  it("drops duplicate types, keeping the first order", () => {
    const params = parseSearchQuery(query({ q: "x", type: "track,album,track,album" }), MAX_LIMIT);

    expect(params.types).toEqual(["track", "album"]);
  });

  it.each([
    ["artist,singer", "singer"],
    ["Artist", "Artist"],
    ["artists", "artists"],
    ["artist,", ""],
    [",artist", ""],
    ["artist,,track", ""],
    ["artist;track", "artist;track"],
  ])("refuses %j naming the unknown value %j and listing the allowed ones", (type, bad) => {
    const error = refusal(query({ q: "x", type }));

    expect(error.message).toBe(
      `Parameter type has an unknown value ${JSON.stringify(bad)}; allowed: ${SEARCH_TYPES.join(", ")}`,
    );
  });
});

describe("parseSearchQuery: market", () => {
  it.each(["US", "GB", "SE", " JP "])("accepts %j", (market) => {
    expect(parseSearchQuery(query({ q: "x", type: "track", market }), MAX_LIMIT).market).toBe(
      market.trim(),
    );
  });

  it.each(["us", "Us", "USA", "U", "U1", "ÜS", "U S"])("refuses %j", (market) => {
    expect(refusal(query({ q: "x", type: "track", market })).message).toMatch(/^Parameter market /);
  });

  it("refuses an empty market rather than ignoring it", () => {
    expect(refusal(query({ q: "x", type: "track", market: "" })).message).toBe(
      "Parameter market must not be empty",
    );
  });
});

describe("parseSearchQuery: include_external", () => {
  it("accepts audio", () => {
    const params = parseSearchQuery(
      query({ q: "x", type: "episode", include_external: "audio" }),
      MAX_LIMIT,
    );

    expect(params.includeExternal).toBe("audio");
  });

  it.each(["video", "AUDIO", "audio,video", "true"])("refuses %j", (value) => {
    expect(refusal(query({ q: "x", type: "show", include_external: value })).message).toBe(
      'Parameter include_external accepts only "audio"',
    );
  });
});

describe("parseSearchQuery: limit", () => {
  it.each([0, 1, 5, MAX_LIMIT])("accepts %d", (limit) => {
    const params = parseSearchQuery(query({ q: "x", type: "track", limit: String(limit) }), 10);

    expect(params.limit).toBe(limit);
  });

  it("accepts leading zeros and surrounding spaces", () => {
    expect(parseSearchQuery(query({ q: "x", type: "track", limit: " 007 " }), 10).limit).toBe(7);
  });

  it.each(["11", "-1", "2.5", "1e1", "+5", "0x5", "five", "", " ", "１０", "99999999"])(
    "refuses %j naming limit and its range",
    (limit) => {
      const error = refusal(query({ q: "x", type: "track", limit }));

      expect(error.message).toBe("Parameter limit must be an integer from 0 to 10");
    },
  );

  it("follows the configured maximum", () => {
    expect(parseSearchQuery(query({ q: "x", type: "track", limit: "50" }), 50).limit).toBe(50);
    expect(refusal(query({ q: "x", type: "track", limit: "51" }), 50).message).toBe(
      "Parameter limit must be an integer from 0 to 50",
    );
  });
});

describe("parseSearchQuery: offset", () => {
  it.each([0, 1, 500, 990])(
    "accepts %d and sends the maximum limit when none is given",
    (offset) => {
      const params = parseSearchQuery(query({ q: "x", type: "track", offset: String(offset) }), 10);

      expect(params).toEqual({ q: "x", types: ["track"], offset, limit: 10 });
    },
  );

  it.each(["1001", "-1", "1.0", "abc", "10000000"])("refuses %j naming offset", (offset) => {
    expect(refusal(query({ q: "x", type: "track", offset })).message).toBe(
      `Parameter offset must be an integer from 0 to ${MAX_OFFSET}`,
    );
  });

  it("accepts offset + limit = 1000 exactly", () => {
    const params = parseSearchQuery(
      query({ q: "x", type: "track", offset: "990", limit: "10" }),
      10,
    );

    expect(params).toMatchObject({ offset: 990, limit: 10 });
  });

  it("refuses offset + limit above 1000, naming both and the sum", () => {
    const error = refusal(query({ q: "x", type: "track", offset: "995", limit: "10" }));

    expect(error.message).toBe(
      "Parameters offset and limit must add up to at most 1000 (got 1005)",
    );
  });

  it("accepts offset 1000 with limit 0", () => {
    const params = parseSearchQuery(
      query({ q: "x", type: "track", offset: "1000", limit: "0" }),
      10,
    );

    expect(params).toMatchObject({ offset: 1000, limit: 0 });
  });

  it.each([
    [991, 9],
    [995, 5],
    [999, 1],
    [1000, 0],
  ])("caps the page when only offset %d is given (limit %d)", (offset, limit) => {
    const params = parseSearchQuery(query({ q: "x", type: "track", offset: String(offset) }), 10);

    expect(params).toEqual({ q: "x", types: ["track"], offset, limit });
  });

  it("caps against the configured maximum, not a fixed one", () => {
    const params = parseSearchQuery(query({ q: "x", type: "track", offset: "960" }), 50);

    expect(params.limit).toBe(40);
  });
});

describe("parseSearchQuery: names", () => {
  it("names a single unknown parameter and lists the allowed ones", () => {
    const error = refusal(query({ q: "x", type: "track", colour: "blue" }));

    expect(error.message).toBe(
      `Unknown parameter "colour"; allowed: ${SEARCH_PARAMETERS.join(", ")}`,
    );
  });

  it("names every unknown parameter, quoted", () => {
    const error = refusal(query({ q: "x", type: "track", Q: "y", "a b": "", query: "z" }));

    expect(error.message).toMatch(/^Unknown parameters "Q", "a b", "query"; allowed: /);
  });

  it("reports unknown names before any other rule", () => {
    expect(refusal(query({ colour: "blue" })).message).toMatch(/^Unknown parameter "colour"/);
  });

  it.each(SEARCH_PARAMETERS)("refuses %s given twice, naming it", (name) => {
    const values: Record<string, string[]> = { q: ["x"], type: ["track"] };
    values[name] = ["1", "1"];

    expect(refusal(values).message).toBe(`Parameter ${name} must be given only once`);
  });

  it("treats a name given with no values as absent", () => {
    expect(refusal({ q: [], type: ["track"] }).message).toBe("Missing required parameter q");
    expect(parseSearchQuery({ q: ["x"], type: ["track"], limit: [] }, 10)).toEqual({
      q: "x",
      types: ["track"],
      limit: 10,
    });
  });

  it("returns only the fields that were given", () => {
    const params = parseSearchQuery(
      query({
        q: "x",
        type: "track",
        market: "SE",
        limit: "3",
        offset: "6",
        include_external: "audio",
      }),
      MAX_LIMIT,
    );

    expect(params).toEqual({
      q: "x",
      types: ["track"],
      market: "SE",
      limit: 3,
      offset: 6,
      includeExternal: "audio",
    });
  });
});

describe("validateSearch with JSON values (the batch)", () => {
  it("accepts numbers for limit and offset", () => {
    expect(validateSearch({ q: "x", type: "track", limit: 5, offset: 10 }, 10)).toEqual({
      q: "x",
      types: ["track"],
      limit: 5,
      offset: 10,
    });
  });

  it("treats null as absent", () => {
    expect(validateSearch({ q: "x", type: "track", market: null, limit: null }, 10)).toEqual({
      q: "x",
      types: ["track"],
      limit: 10,
    });
  });

  it.each([
    [{ q: 5, type: "track" }, "Parameter q must be a string"],
    [{ q: "x", type: ["track"] }, "Parameter type must be a string"],
    [{ q: "x", type: "track", market: 1 }, "Parameter market must be a string"],
    [{ q: "x", type: "track", limit: 2.5 }, "Parameter limit must be an integer from 0 to 10"],
    [{ q: "x", type: "track", limit: true }, "Parameter limit must be an integer from 0 to 10"],
    [{ q: "x", type: "track", limit: -1 }, "Parameter limit must be an integer from 0 to 10"],
    [{ q: "x", type: "track", offset: 1e21 }, "Parameter offset must be an integer from 0 to 1000"],
  ])("refuses %j", (raw, message) => {
    expect(() => validateSearch(raw, 10)).toThrow(message);
  });
});
