import { describe, expect, it } from "vitest";
import { cacheHeaders } from "../../../lib/cache/cache-headers.ts";
import type { SearchAnswer } from "../../../lib/cache/search-cache.ts";
import { searchResponse } from "../../../lib/cache/search-response.ts";
import { loadCacheConfig } from "../../../lib/config.ts";

const API = "https://api.spotify.com/v1";
const BASE = "https://music.example.com/api/search";
const NOW = Date.UTC(2026, 10, 26, 12);
const config = loadCacheConfig({});
const BODY = JSON.stringify({
  tracks: { href: `${API}/search?query=abba&type=track&offset=0&limit=1`, items: [], next: null },
});

function respond(answer: SearchAnswer, visibility: "public" | "private" = "public") {
  return searchResponse(answer, {
    cacheConfig: config,
    apiUrl: API,
    linkBase: BASE,
    visibility,
    now: NOW,
  });
}

describe("searchResponse", () => {
  it("answers 200 with Spotify's body, its paging links pointed at us", () => {
    const result = respond({ body: BODY, cache: { kind: "bypass" } });

    expect(result.statusCode).toBe(200);
    expect(result.isBase64Encoded).toBe(false);
    expect(JSON.parse(result.body)).toEqual({
      tracks: { href: `${BASE}?q=abba&type=track&offset=0&limit=1`, items: [], next: null },
    });
  });

  it("adds the cache's headers for the outcome beside the JSON content type", () => {
    const entry = {
      body: BODY,
      storedAt: NOW - 5_000,
      freshUntil: NOW + 595_000,
      staleUntil: NOW + 86_400_000,
    };
    const outcome = { kind: "hit", entry, tier: "shared" } as const;

    const result = respond({ body: BODY, cache: outcome }, "private");

    expect(result.headers).toMatchObject(cacheHeaders(outcome, config, NOW, "private"));
    expect(result.headers["cache-control"]).toMatch(/^private, /);
    expect(result.headers.age).toBe("5");
    expect(result.headers["content-type"]).toMatch(/^application\/json/);
  });

  it("passes a body without Spotify search links through unchanged", () => {
    const body = '{"tracks":{"href":null,"items":[{"name":"a\\"b"}]}}';

    expect(respond({ body, cache: { kind: "miss", stored: true, refreshed: false } }).body).toBe(
      body,
    );
  });
});
