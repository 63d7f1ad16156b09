import fc from "fast-check";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type Emulator, startEmulator } from "../../../infra/local/emulator/server.ts";
import { type ApiError, fakeClock, json, type Paging, search, token } from "./helpers.ts";

const clock = fakeClock();
let emulator: Emulator;
let accessToken: string;

beforeAll(async () => {
  emulator = await startEmulator({ now: clock.now });
});
afterAll(() => emulator.close());
beforeEach(async () => {
  emulator.reset();
  accessToken = await token(emulator);
});

async function ok(query: string): Promise<Record<string, Paging>> {
  const response = await search(emulator, query, accessToken);
  expect(response.status).toBe(200);
  return (await response.json()) as Record<string, Paging>;
}

async function badRequest(query: string): Promise<string> {
  const response = await search(emulator, query, accessToken);
  expect(response.status).toBe(400);
  return ((await response.json()) as ApiError).error.message;
}

const ID = /^[0-9A-Za-z]{22}$/;

describe("GET /v1/search paging objects", () => {
  it("answers one paging object per requested type under its plural key", async () => {
    // Prepare
    const types = "album,artist,playlist,track,show,episode,audiobook";
    // Act
    const response = await search(emulator, `q=BTS&type=${types}`, accessToken);
    // Assess
    expect(response.headers.get("content-type")).toBe("application/json; charset=utf-8");
    const body = await json<Record<string, Paging>>(response);
    expect(Object.keys(body)).toEqual(types.split(",").map((type) => `${type}s`));
    for (const paging of Object.values(body as Record<string, Paging>)) {
      expect(Object.keys(paging).sort()).toEqual(
        ["href", "items", "limit", "next", "offset", "previous", "total"].sort(),
      );
    }
  });

  it("builds href, next and previous as absolute URLs with query= for the text", async () => {
    // Prepare / Act
    const { artists } = await ok("q=BTS&type=artist&offset=5");
    // Assess
    const base = `${emulator.apiUrl}/search`;
    expect(artists?.href).toBe(`${base}?offset=5&limit=5&query=BTS&type=artist`);
    expect(artists?.next).toBe(`${base}?offset=10&limit=5&query=BTS&type=artist`);
    expect(artists?.previous).toBe(`${base}?offset=0&limit=5&query=BTS&type=artist`);
  });

  it("defaults to limit 5 and offset 0 with no previous page in development mode", async () => {
    // Prepare / Act
    const { tracks } = await ok("q=BTS&type=track");
    // Assess
    expect(tracks).toMatchObject({ limit: 5, offset: 0, previous: null });
    expect(tracks?.items).toHaveLength(Math.min(5, tracks?.total ?? 0));
  });

  it("follows next links (query= instead of q=) to the same query, + decoded as a space", async () => {
    // Prepare
    const first = (await ok("q=daft+punk%20%26+friends&type=album&limit=2")).albums;
    // Act
    const next = new URL(first?.next ?? "");
    const second = await json<Record<string, Paging>>(
      await fetch(next, { headers: { authorization: `Bearer ${accessToken}` } }),
    );
    // Assess
    expect(next.searchParams.get("query")).toBe("daft punk & friends");
    expect(emulator.requests.at(-1)?.query.query).toBe("daft punk & friends");
    expect(second.albums?.offset).toBe(2);
    expect(second.albums?.href).toBe(first?.next);
  });

  it("answers the same items for the same query and different ones for another query", async () => {
    // Prepare / Act
    const a = await ok("q=Miles+Davis&type=track,artist");
    const b = await ok("q=Miles+Davis&type=track,artist");
    const c = await ok("q=Coltrane&type=track,artist");
    // Assess
    expect(b).toEqual(a);
    expect(c.tracks?.items[0]?.id).not.toBe(a.tracks?.items[0]?.id);
  });

  it("answers total 0, no items and no next for a query containing zzznoresults", async () => {
    // Prepare / Act
    const { artists } = await ok("q=zzznoresults&type=artist");
    // Assess
    expect(artists).toMatchObject({ items: [], total: 0, next: null });
  });

  it("accepts field filters as they are", async () => {
    // Prepare / Act
    const { tracks } = await ok(`q=${encodeURIComponent("artist:Foo year:2020-2021")}&type=track`);
    // Assess
    expect(tracks?.href).toContain(`query=${encodeURIComponent("artist:Foo year:2020-2021")}`);
  });

  it("answers limit 0 with no items and no next", async () => {
    // Prepare / Act
    const { artists } = await ok("q=BTS&type=artist&limit=0");
    // Assess
    expect(artists).toMatchObject({ items: [], limit: 0, next: null });
  });

  it("offers no next link that would pass offset 1000", async () => {
    // Prepare / Act
    const { artists } = await ok("q=BTS&type=artist&offset=990&limit=10");
    // Assess
    expect(artists?.total).toBeGreaterThan(1000);
    expect(artists?.next).toBeNull();
  });
});

describe("GET /v1/search item shapes", () => {
  it("answers artists without popularity, followers or genres in development mode", async () => {
    // Prepare / Act
    const artist = (await ok("q=BTS&type=artist")).artists?.items[0];
    // Assess
    expect(artist).toMatchObject({ name: "BTS", type: "artist" });
    expect(artist?.id).toMatch(ID);
    expect(artist?.uri).toBe(`spotify:artist:${artist?.id}`);
    expect(artist?.href).toBe(`${emulator.apiUrl}/artists/${artist?.id}`);
    expect(artist?.external_urls).toEqual({
      spotify: `https://open.spotify.com/artist/${artist?.id}`,
    });
    expect(artist).not.toHaveProperty("popularity");
    expect(artist).not.toHaveProperty("followers");
    expect(artist).not.toHaveProperty("genres");
  });

  it("answers tracks with album, artists, duration, explicit, number and ISRC", async () => {
    // Prepare / Act
    const track = (await ok("q=BTS&type=track")).tracks?.items[0];
    // Assess
    expect(track).toMatchObject({
      type: "track",
      album: { type: "album", album_type: expect.any(String) },
      artists: [expect.objectContaining({ type: "artist", name: "BTS" })],
      duration_ms: expect.any(Number),
      explicit: expect.any(Boolean),
      track_number: expect.any(Number),
      external_ids: { isrc: expect.stringMatching(/^[A-Z]{2}[A-Z0-9]{3}\d{7}$/) },
    });
    expect(track).not.toHaveProperty("available_markets");
    expect(track).not.toHaveProperty("popularity");
  });

  it("answers albums with release date, total tracks and three images", async () => {
    // Prepare / Act
    const album = (await ok("q=BTS&type=album")).albums?.items[0];
    // Assess
    expect(album).toMatchObject({
      type: "album",
      release_date: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/),
      total_tracks: expect.any(Number),
      artists: [expect.objectContaining({ type: "artist" })],
    });
    expect(album?.images).toHaveLength(3);
  });

  it.each([
    ["show", "shows", ["publisher", "total_episodes", "media_type"]],
    ["episode", "episodes", ["duration_ms", "release_date", "is_playable"]],
    ["audiobook", "audiobooks", ["authors", "narrators", "total_chapters"]],
    ["playlist", "playlists", ["owner", "tracks", "snapshot_id"]],
  ])("answers %s items with their own fields", async (type, key, fields) => {
    // Prepare / Act
    const items = (await ok(`q=BTS&type=${type}&limit=10`))[key]?.items ?? [];
    // Assess
    const item = items.find((candidate) => candidate !== null);
    expect(item).toMatchObject({ type, uri: `spotify:${type}:${item?.id}` });
    for (const field of fields) expect(item).toHaveProperty(field);
  });

  it("answers the same artist id for the matching artist in tracks and artists", async () => {
    // Prepare / Act
    const body = await ok("q=BTS&type=artist,track");
    // Assess
    const artistId = body.artists?.items[0]?.id;
    const trackArtists = body.tracks?.items[0]?.artists as { id: string }[];
    expect(trackArtists[0]?.id).toBe(artistId);
  });

  it("includes null playlist items for some queries", async () => {
    // Prepare
    const queries = ["a", "b", "c", "d", "e", "f"];
    // Act
    const pages = await Promise.all(queries.map((q) => ok(`q=${q}&type=playlist&limit=10`)));
    // Assess
    const items = pages.flatMap((page) => page.playlists?.items ?? []);
    expect(items).toContain(null);
    expect(items.some((item) => item !== null)).toBe(true);
  });

  it("adds popularity, followers, genres and markets in the extended profile", async () => {
    // Prepare
    emulator.setProfile("extended");
    // Act
    const body = await ok("q=BTS&type=artist,track");
    // Assess
    expect(body.artists?.items[0]).toMatchObject({
      popularity: expect.any(Number),
      followers: { href: null, total: expect.any(Number) },
      genres: expect.any(Array),
    });
    expect(body.tracks?.items[0]).toHaveProperty("available_markets");
  });

  it("marks tracks playable instead of listing markets when a market is given", async () => {
    // Prepare
    emulator.setProfile("extended");
    // Act
    const track = (await ok("q=BTS&type=track&market=SE")).tracks?.items[0];
    // Assess
    expect(track).toMatchObject({ is_playable: true });
    expect(track).not.toHaveProperty("available_markets");
  });
});

describe("GET /v1/search limits per profile", () => {
  it("rejects limit 11 with Invalid limit in development mode", async () => {
    // Prepare / Act / Assess
    expect(await badRequest("q=BTS&type=track&limit=11")).toBe("Invalid limit");
  });

  it("accepts limit 10 in development mode", async () => {
    // Prepare / Act
    const { tracks } = await ok("q=BTS&type=track&limit=10");
    // Assess
    expect(tracks?.limit).toBe(10);
  });

  it("defaults to 20 and accepts 50 in the extended profile", async () => {
    // Prepare
    emulator.setProfile("extended");
    // Act
    const byDefault = (await ok("q=BTS&type=artist")).artists;
    const max = (await ok("q=BTS&type=artist&limit=50")).artists;
    // Assess
    expect(byDefault?.limit).toBe(20);
    expect(max?.items).toHaveLength(50);
    expect(await badRequest("q=BTS&type=artist&limit=51")).toBe("Invalid limit");
  });
});

describe("GET /v1/search parameter errors", () => {
  it.each([
    ["type=track", "No search query"],
    ["q=&type=track", "No search query"],
    ["q=BTS", "Missing parameter type"],
    ["q=rock&roll", "Missing parameter type"],
    ["q=BTS&type=song", "Bad search type field song"],
    ["q=BTS&type=track,podcast", "Bad search type field podcast"],
    ["q=BTS&type=track&limit=abc", "Invalid limit"],
    ["q=BTS&type=track&limit=-1", "Invalid limit"],
    ["q=BTS&type=track&limit=2.5", "Invalid limit"],
    ["q=BTS&type=track&market=se", "Invalid market code"],
    ["q=BTS&type=track&market=from_token", "Invalid market code"],
    ["q=BTS&type=track&market=KP", "Unlaunched market"],
    ["q=BTS&type=track&offset=1001&limit=0", "Invalid offset"],
    ["q=BTS&type=track&offset=996", "Invalid offset"],
    ["q=BTS&type=track&offset=x", "Invalid offset"],
    ["q=BTS&type=track&include_external=video", "Invalid include_external"],
  ])("answers 400 for %s", async (query, message) => {
    // Prepare / Act / Assess
    expect(await badRequest(query)).toBe(message);
  });

  it("accepts include_external=audio and offset + limit of exactly 1000", async () => {
    // Prepare / Act
    const { shows } = await ok("q=BTS&type=show&include_external=audio&offset=995&limit=5");
    // Assess
    expect(shows?.href).toContain("include_external=audio");
  });

  it("never fails on arbitrary query strings (fuzz)", async () => {
    // Prepare
    const values = fc.oneof(fc.string(), fc.constantFrom("track", "artist,album", "10", "US", ""));
    const params = fc.dictionary(fc.constantFrom("q", "type", "limit", "offset", "market"), values);
    // Act / Assess
    await fc.assert(
      fc.asyncProperty(params, async (record) => {
        const response = await search(
          emulator,
          new URLSearchParams(record).toString(),
          accessToken,
        );
        expect([200, 400]).toContain(response.status);
        await response.json();
      }),
      { numRuns: 60 },
    );
  });
});

describe("GET /v1/search authentication, checked before parameters", () => {
  it("answers 401 with no Authorization header even when parameters are wrong", async () => {
    // Prepare / Act
    const response = await search(emulator, "type=nonsense", null);
    // Assess
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({
      error: { status: 401, message: "Missing/invalid/expired access token" },
    });
  });

  it("answers 400 Only valid bearer authentication supported for a Basic header", async () => {
    // Prepare
    const headers = { authorization: "Basic abc" };
    // Act
    const response = await search(emulator, "q=BTS&type=track", null, { headers });
    // Assess
    expect(response.status).toBe(400);
    expect((await json<ApiError>(response)).error.message).toBe(
      "Only valid bearer authentication supported",
    );
  });

  it("answers 401 for an unknown token and for a revoked one", async () => {
    // Prepare
    emulator.revokeTokens();
    // Act
    const unknown = await search(emulator, "q=BTS&type=track", "not-a-token");
    const revoked = await search(emulator, "q=BTS&type=track", accessToken);
    // Assess
    expect(unknown.status).toBe(401);
    expect(revoked.status).toBe(401);
  });

  it("answers 404 Service not found for unknown paths and 405 for a POST search", async () => {
    // Prepare / Act
    const missing = await fetch(`${emulator.apiUrl}/artists/abc`);
    const post = await fetch(`${emulator.apiUrl}/search?q=a&type=track`, { method: "POST" });
    // Assess
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ error: { status: 404, message: "Service not found" } });
    expect(post.status).toBe(405);
  });
});

describe("legacy 401 messages", () => {
  let legacy: Emulator;
  const legacyClock = fakeClock();

  beforeAll(async () => {
    legacy = await startEmulator({ legacy401Messages: true, now: legacyClock.now });
  });
  afterAll(() => legacy.close());

  it.each([
    ["no token", null, "No token provided"],
    ["an unknown token", "nope", "Invalid access token"],
  ])("answers the pre-2026 message for %s", async (_name, bearer, message) => {
    // Prepare / Act
    const response = await search(legacy, "q=a&type=track", bearer);
    // Assess
    expect((await json<ApiError>(response)).error).toEqual({ status: 401, message });
  });

  it("answers The access token expired for an expired token", async () => {
    // Prepare
    const expiring = legacy.issueToken();
    legacyClock.advance(3600_000);
    // Act
    const response = await search(legacy, "q=a&type=track", expiring);
    // Assess
    expect((await json<ApiError>(response)).error.message).toBe("The access token expired");
  });
});
