import { describe, expect, it } from "vitest";
import { parseBatch, parseBatchText } from "../../../lib/batch/parse-batch.ts";
import { ConfigurationError } from "../../../lib/errors.ts";

const SOURCE = "SSM parameter /spotify/queries";

describe("parseBatch", () => {
  it("validates every entry with the API's rules and defaults pages to 1", () => {
    const { queries, invalid } = parseBatch(
      [
        { q: " BTS ", type: "artist" },
        { q: "abba", type: "track,album", market: "SE", limit: 5, offset: 10, pages: 3 },
        { q: "x", type: "episode", include_external: "audio", pages: null },
      ],
      SOURCE,
      10,
    );

    expect(invalid).toEqual([]);
    expect(queries).toEqual([
      { index: 0, params: { q: "BTS", types: ["artist"], limit: 10 }, pages: 1 },
      {
        index: 1,
        params: { q: "abba", types: ["track", "album"], market: "SE", limit: 5, offset: 10 },
        pages: 3,
      },
      {
        index: 2,
        params: { q: "x", types: ["episode"], includeExternal: "audio", limit: 10 },
        pages: 1,
      },
    ]);
  });

  it("collects bad entries with their index and message and keeps the good ones", () => {
    const entries = [
      { q: "ok", type: "artist" },
      "BTS",
      null,
      ["q", "type"],
      { q: "x", type: "singer" },
      { q: "x", type: "artist", colour: "blue" },
      { q: "x", type: "artist", colour: "blue", size: 1 },
      { q: "x", type: "artist", limit: 11 },
    ];

    const { queries, invalid } = parseBatch(entries, SOURCE, 10);

    expect(queries.map((query) => query.index)).toEqual([0]);
    expect(invalid).toEqual([
      { index: 1, entry: "BTS", message: 'Entry must be an object like {"q":"…","type":"artist"}' },
      { index: 2, entry: null, message: 'Entry must be an object like {"q":"…","type":"artist"}' },
      {
        index: 3,
        entry: ["q", "type"],
        message: 'Entry must be an object like {"q":"…","type":"artist"}',
      },
      {
        index: 4,
        entry: entries[4],
        message: expect.stringMatching(/^Parameter type has an unknown value "singer"/),
      },
      { index: 5, entry: entries[5], message: "Entry has unknown field colour" },
      { index: 6, entry: entries[6], message: "Entry has unknown fields colour, size" },
      { index: 7, entry: entries[7], message: "Parameter limit must be an integer from 0 to 10" },
    ]);
  });

  it("refuses a JSON-made __proto__ key as an unknown field", () => {
    const entries = JSON.parse('[{"q":"x","type":"artist","__proto__":{"pages":5}}]');

    expect(parseBatch(entries, SOURCE, 10).invalid[0]?.message).toBe(
      "Entry has unknown field __proto__",
    );
  });

  it.each([
    // (1000 - offset) / page size, rounded up
    [{ q: "x", type: "track" }, 100],
    [{ q: "x", type: "track", limit: 5 }, 200],
    [{ q: "x", type: "track", limit: 3 }, 334],
    [{ q: "x", type: "track", limit: 10, offset: 990 }, 1],
    [{ q: "x", type: "track", offset: 995 }, 1],
    [{ q: "x", type: "track", offset: 1000 }, 1],
    [{ q: "x", type: "track", limit: 0 }, 1],
  ])(
    "accepts pages from 1 up to the last page inside offset 1000 for %j (max %d)",
    (entry, max) => {
      expect(parseBatch([{ ...entry, pages: max }], SOURCE, 10).invalid).toEqual([]);
      expect(parseBatch([{ ...entry, pages: 1 }], SOURCE, 10).invalid).toEqual([]);
      expect(parseBatch([{ ...entry, pages: max + 1 }], SOURCE, 10).invalid[0]?.message).toBe(
        `Field pages must be an integer from 1 to ${max} for this entry`,
      );
    },
  );

  it.each([0, -1, 1.5, "2", true, Number.NaN, Number.POSITIVE_INFINITY])(
    "refuses pages %j",
    (pages) => {
      const { invalid } = parseBatch([{ q: "x", type: "track", pages }], SOURCE, 10);

      expect(invalid[0]?.message).toMatch(
        /^Field pages must be an integer from 1 to \d+ for this entry$/,
      );
    },
  );

  it.each([{}, "[]", null, 5])("refuses a batch that is not an array (%j)", (value) => {
    expect(() => parseBatch(value, SOURCE, 10)).toThrow(ConfigurationError);
    expect(() => parseBatch(value, SOURCE, 10)).toThrow(
      /^SSM parameter \/spotify\/queries must be a JSON array/,
    );
  });

  it("accepts an empty batch", () => {
    expect(parseBatch([], SOURCE, 10)).toEqual({ queries: [], invalid: [] });
  });
});

describe("parseBatchText", () => {
  it("parses the JSON text", () => {
    expect(parseBatchText('[{"q":"x","type":"show"}]', SOURCE, 10).queries).toHaveLength(1);
  });

  it("names the source when the text is not JSON, without echoing it", () => {
    const run = () => parseBatchText('[{"q":"private-text-31c"', SOURCE, 10);

    expect(run).toThrow(ConfigurationError);
    expect(run).toThrow(`${SOURCE} is not valid JSON; expected an array of searches`);
    try {
      run();
    } catch (error) {
      expect((error as Error).message).not.toContain("private-text-31c");
    }
  });
});
