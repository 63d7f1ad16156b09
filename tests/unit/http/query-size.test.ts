import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ValidationError } from "../../../lib/errors.ts";
import { parseApiEvent } from "../../../lib/http/api-event.ts";
import { parseSearchQuery } from "../../../lib/search/search-params.ts";
import { MAX_QUERY_LENGTH, MAX_QUERY_PARAMETERS } from "../../../lib/search/search-rules.ts";

function v2(rawQueryString: string) {
  return {
    version: "2.0",
    rawPath: "/search",
    requestContext: { http: { method: "GET" } },
    rawQueryString,
  };
}

function v1(multi: Record<string, string[]>) {
  return { httpMethod: "GET", path: "/search", multiValueQueryStringParameters: multi };
}

const repeated = (count: number) => Array.from({ length: count }, () => "q=a").join("&");

/** Parse and validate as the handler does; the error it answers with. */
function refusal(event: unknown): ValidationError {
  try {
    parseSearchQuery(parseApiEvent(event).query, 10);
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return error as ValidationError;
  }
  throw new Error("expected a ValidationError");
}

function median(run: () => void, times: number): number {
  const samples = Array.from({ length: times }, () => {
    const started = performance.now();
    run();
    return performance.now() - started;
  });
  return samples.sort((a, b) => a - b)[Math.floor(times / 2)] as number;
}

describe("query size: how many parameters", () => {
  it(`accepts ${MAX_QUERY_PARAMETERS} parameters and refuses one more, naming the cap`, () => {
    expect(Object.keys(parseApiEvent(v2(repeated(MAX_QUERY_PARAMETERS))).query)).toEqual(["q"]);

    expect(refusal(v2(repeated(MAX_QUERY_PARAMETERS + 1))).message).toBe(
      `Too many query parameters (at most ${MAX_QUERY_PARAMETERS})`,
    );
  });

  it("counts only non-empty pairs, as URLSearchParams does", () => {
    const raw = `q=a&&&${"&".repeat(1000)}type=artist&`;

    expect(parseApiEvent(v2(raw)).query).toEqual({ q: ["a"], type: ["artist"] });
  });

  it("20,000 repeats of one name (HTTP API) are a 400 in well under 50 ms", () => {
    const event = v2(repeated(20_000));

    const started = performance.now();
    const error = refusal(event);
    const elapsed = performance.now() - started;

    expect(error.message).toMatch(/Too many query parameters/);
    expect(elapsed).toBeLessThan(50);
  });

  it("20,000 repeats of one name (REST API multi-value) are a 400", () => {
    const event = v1({ q: Array.from({ length: 20_000 }, () => "a") });

    expect(refusal(event).message).toMatch(/Too many query parameters/);
  });

  it("20,000 distinct names (single-value parameters) are a 400", () => {
    const single = Object.fromEntries(Array.from({ length: 20_000 }, (_, i) => [`p${i}`, "a"]));

    expect(
      refusal({ ...v1({}), multiValueQueryStringParameters: null, queryStringParameters: single })
        .message,
    ).toMatch(/Too many query parameters/);
  });

  it("the refusal does not grow with the number of repeats (10× the repeats, not 100× the time)", () => {
    const small = v2(repeated(1_000));
    const large = v2(repeated(10_000));
    refusal(small);
    refusal(large);

    const smallMs = median(() => refusal(small), 3);
    const largeMs = median(() => refusal(large), 3);

    // Linear or better: a quadratic parse would take ~100× as long for 10× the repeats.
    expect(largeMs).toBeLessThan(10 * smallMs + 5);
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
    const error = refusal(v2(`q=${"a".repeat(MAX_QUERY_LENGTH + 1)}&type=track`));

    expect(error.message).toBe(`Parameter q must be at most ${MAX_QUERY_LENGTH} characters`);
  });

  it("measures q after trimming", () => {
    const q = ` ${"a".repeat(MAX_QUERY_LENGTH)} `;

    expect(parseSearchQuery({ q: [q], type: ["track"] }, 10).q).toHaveLength(MAX_QUERY_LENGTH);
  });
});

function viaUrlSearchParams(raw: string): Record<string, string[]> {
  const expected: Record<string, string[]> = {};
  for (const [name, value] of new URLSearchParams(raw)) {
    expected[name] = [...(expected[name] ?? []), value];
  }
  return expected;
}

describe("query parsing matches URLSearchParams on the whole string", () => {
  it("for any query string of up to the cap's number of pairs", () => {
    const chars = fc.constantFrom(..."ab=&?%+ 2F3Dé".split(""));
    fc.assert(
      fc.property(fc.string({ unit: chars, maxLength: 40 }), (raw) => {
        expect({ ...parseApiEvent(v2(raw)).query }).toEqual(viaUrlSearchParams(raw));
      }),
      { numRuns: 2_000 },
    );
  });

  it.each(["q=%zz&type=artist&?", "?q=a&type=artist", "q=a&?b=c&&=d&e", "a=1&a=2&%3F=3"])(
    "%s",
    (raw) => {
      expect({ ...parseApiEvent(v2(raw)).query }).toEqual(viaUrlSearchParams(raw));
    },
  );
});
