import { describe, expect, it } from "vitest";
import { cacheKey } from "../../../lib/cache/cache-key.ts";
import { type RawSearch, validateSearch } from "../../../lib/search/search-params.ts";

const API = "https://api.spotify.com/v1";
const key = (raw: RawSearch, api = API) => cacheKey(validateSearch(raw, 10), api);

describe("cacheKey", () => {
  it("is the same for the same question however the types are ordered or repeated", () => {
    expect(key({ q: "abba", type: "track,artist" })).toBe(
      key({ q: "abba", type: "artist,track,artist" }),
    );
  });

  it("treats an absent offset as offset 0, as Spotify does", () => {
    expect(key({ q: "abba", type: "track" })).toBe(key({ q: "abba", type: "track", offset: "0" }));
  });

  it("keeps every other difference apart", () => {
    const base = { q: "abba", type: "track" };
    const variants = [
      base,
      { ...base, q: "ABBA" },
      { ...base, q: "abba " + "x" },
      { ...base, type: "album" },
      { ...base, market: "US" },
      { ...base, market: "JP" },
      { ...base, limit: "5" },
      { ...base, offset: "5" },
      { ...base, include_external: "audio" },
    ];
    const keys = variants.map((raw) => key(raw));
    keys.push(key(base, "http://127.0.0.1:9999/v1"));
    expect(new Set(keys).size).toBe(keys.length);
  });

  it("is a short, table-safe string whatever the length of q", () => {
    const long = key({ q: "x".repeat(250), type: "track" });
    expect(long).toMatch(/^search#[A-Za-z0-9_-]{43}$/);
  });
});
