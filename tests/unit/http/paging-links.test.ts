import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { rewritePagingLinks, searchBase } from "../../../lib/http/paging-links.ts";

const API = "https://api.spotify.com/v1";
const BASE = "https://abc.execute-api.us-east-1.amazonaws.com/prod/search";

/** One paging object as Spotify writes it (compact JSON, as the emulator sends it). */
function page(fields: Record<string, unknown>): string {
  return JSON.stringify({ tracks: { items: [], total: 0, ...fields } });
}

type Paging = Record<string, unknown>;

function rewrite(body: string): { tracks: Paging; artists: Paging } {
  return JSON.parse(rewritePagingLinks(body, API, BASE));
}

describe("searchBase", () => {
  it("is PUBLIC_BASE_URL's /search when it is set, whatever host was asked", () => {
    const origin = { scheme: "https", host: "abc.example.com", path: "/prod/search" } as const;

    expect(searchBase(origin, "https://music.example.com/api")).toBe(
      "https://music.example.com/api/search",
    );
  });

  it("is how the caller reached us otherwise, scheme, host and stage path included", () => {
    expect(searchBase({ scheme: "http", host: "localhost:3000", path: "/search" }, undefined)).toBe(
      "http://localhost:3000/search",
    );
    expect(
      searchBase({ scheme: "https", host: "abc.example.com", path: "/prod/search" }, undefined),
    ).toBe("https://abc.example.com/prod/search");
  });

  it("is the path alone, a relative link, when the request had no usable host", () => {
    expect(searchBase({ scheme: "https", host: undefined, path: "/prod/search" }, undefined)).toBe(
      "/prod/search",
    );
  });
});

describe("rewritePagingLinks", () => {
  it("points href, next and previous at our /search, with q for Spotify's query", () => {
    const body = page({
      href: `${API}/search?query=abba&type=track&offset=20&limit=10`,
      next: `${API}/search?query=abba&type=track&offset=30&limit=10`,
      previous: `${API}/search?query=abba&type=track&offset=10&limit=10`,
    });

    expect(rewrite(body).tracks).toMatchObject({
      href: `${BASE}?q=abba&type=track&offset=20&limit=10`,
      next: `${BASE}?q=abba&type=track&offset=30&limit=10`,
      previous: `${BASE}?q=abba&type=track&offset=10&limit=10`,
    });
  });

  it("keeps type, market, offset, limit and include_external in that order, and drops the rest", () => {
    const body = page({
      href: `${API}/search?limit=5&locale=sv-SE&include_external=audio&offset=5&market=SE&type=show,episode&query=pod`,
    });

    expect(rewrite(body).tracks.href).toBe(
      `${BASE}?q=pod&type=show,episode&market=SE&offset=5&limit=5&include_external=audio`,
    );
  });

  it("writes a space as %20 and encodes + and & so they cannot split or change q", () => {
    const body = page({ href: `${API}/search?query=tom+%26+jerry+%2B1&type=track` });

    const href = rewrite(body).tracks.href as string;

    expect(href).toBe(`${BASE}?q=tom%20%26%20jerry%20%2B1&type=track`);
    expect(new URL(href).searchParams.get("q")).toBe("tom & jerry +1");
  });

  it("reads a link written with JSON escapes, and writes it back as a JSON string", () => {
    const body =
      '{"tracks":{"href":"https://api.spotify.com/v1/search?query=caf\\u00e9+\\"live\\"&type=track"}}';

    expect(rewrite(body).tracks.href).toBe(`${BASE}?q=caf%C3%A9%20%22live%22&type=track`);
  });

  it("leaves null links, item links and links to other hosts as they were", () => {
    const body = JSON.stringify({
      tracks: {
        href: `${API}/search?query=a&type=track`,
        next: null,
        previous: null,
        items: [{ href: `${API}/tracks/5Kskr9LcNYa0tpt5f0ZEJx`, name: "a" }],
      },
      artists: { href: "https://example.com/v1/search?query=a&type=artist" },
    });

    const rewritten = rewrite(body);

    expect(rewritten.tracks.next).toBeNull();
    expect(rewritten.tracks.previous).toBeNull();
    expect(rewritten.tracks.items).toEqual([
      { href: `${API}/tracks/5Kskr9LcNYa0tpt5f0ZEJx`, name: "a" },
    ]);
    expect(rewritten.artists.href).toBe("https://example.com/v1/search?query=a&type=artist");
  });

  it("does not rewrite a look-alike inside an item's text, where its quotes are escaped", () => {
    const lookAlike = `"href":"${API}/search?query=evil&type=track"`;
    const body = JSON.stringify({
      tracks: { href: `${API}/search?query=a&type=track`, items: [{ name: lookAlike }] },
    });

    const rewritten = rewrite(body);

    expect((rewritten.tracks.items as { name: string }[])[0]?.name).toBe(lookAlike);
    expect(rewritten.tracks.href).toBe(`${BASE}?q=a&type=track`);
  });

  it("returns a body without Spotify search links as the very same string", () => {
    const body = page({ href: "https://example.com/search?query=a", next: null });

    expect(rewritePagingLinks(body, API, BASE)).toBe(body);
  });

  it("points a relative base's links at the same path", () => {
    const body = page({ href: `${API}/search?query=a&type=track` });

    expect(JSON.parse(rewritePagingLinks(body, API, "/prod/search")).tracks.href).toBe(
      "/prod/search?q=a&type=track",
    );
  });

  // Spotify's own search bodies are pretty-printed with a space either side of the colon
  // (`"href" : "https://api.spotify.com/v1/search?query=…"`, as recorded answers show).
  it("rewrites the links of a body laid out as Spotify lays it out", () => {
    const spotifyLayout = `{\n  "tracks" : {\n    "href" : "${API}/search?query=calling+my+phone&type=track&offset=0&limit=25",\n    "items" : [ ],\n    "next" : "${API}/search?query=calling+my+phone&type=track&offset=25&limit=25",\n    "previous" : null\n  }\n}`;

    expect(rewrite(spotifyLayout).tracks.href).toBe(
      `${BASE}?q=calling%20my%20phone&type=track&offset=0&limit=25`,
    );
  });
});

describe("rewritePagingLinks, for any search", () => {
  const text = fc.string({ unit: "grapheme", minLength: 1, maxLength: 20 });
  const search = fc.record({
    q: text,
    type: fc.constantFrom("track", "artist", "album,track", "show,episode"),
    offset: fc.nat({ max: 1000 }),
    limit: fc.integer({ min: 0, max: 50 }),
  });
  const spotifyLink = (s: { q: string; type: string; offset: number; limit: number }) => {
    const url = new URL(`${API}/search`);
    url.searchParams.set("query", s.q);
    url.searchParams.set("type", s.type);
    url.searchParams.set("offset", String(s.offset));
    url.searchParams.set("limit", String(s.limit));
    url.searchParams.set("locale", "en");
    return url.href;
  };
  const body = fc.record({
    current: search,
    next: fc.option(search, { nil: null }),
    names: fc.array(text, { maxLength: 3 }),
  });

  /** The parsed body without the paging object's own links. */
  function withoutLinks(text: string): unknown {
    const parsed = JSON.parse(text);
    const { href: _, next: __, previous: ___, ...rest } = parsed.tracks;
    return { ...parsed, tracks: rest };
  }

  it("changes nothing but the paging object's links, and each link reads back to the same search", () => {
    fc.assert(
      fc.property(body, ({ current, next, names }) => {
        const original = JSON.stringify({
          tracks: {
            href: spotifyLink(current),
            items: names.map((name) => ({ name, href: `${API}/tracks/x` })),
            limit: current.limit,
            next: next && spotifyLink(next),
            offset: current.offset,
            previous: null,
          },
        });

        const rewritten = rewritePagingLinks(original, API, BASE);

        expect(withoutLinks(rewritten)).toEqual(withoutLinks(original));
        const tracks = JSON.parse(rewritten).tracks;
        expect(tracks.previous).toBeNull();
        for (const [link, asked] of [
          [tracks.href, current],
          [tracks.next, next],
        ] as const) {
          if (asked === null) {
            expect(link).toBeNull();
            continue;
          }
          const url = new URL(link);
          expect(`${url.origin}${url.pathname}`).toBe(BASE);
          expect(Object.fromEntries(url.searchParams)).toEqual({
            q: asked.q,
            type: asked.type,
            offset: String(asked.offset),
            limit: String(asked.limit),
          });
        }
      }),
      { numRuns: 150 },
    );
  });
});
