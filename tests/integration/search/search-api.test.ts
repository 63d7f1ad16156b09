import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { lambdaContext } from "../../../infra/local/lambda-context.ts";
import { coldSearchHandler } from "../../support/container.ts";
import { httpApiEvent, loadEvent, restApiEvent } from "../../support/events.ts";
import { startTestStack, type TestStack } from "../../support/stack.ts";

let stack: TestStack;
let handler: Awaited<ReturnType<typeof coldSearchHandler>>;

beforeAll(async () => {
  stack = await startTestStack();
  handler = await coldSearchHandler(stack.env);
});
afterAll(() => stack.close());
beforeEach(() => stack.emulator.reset());

function bodyOf(result: { body?: string }) {
  return JSON.parse(result.body ?? "null");
}

describe("GET /search through API Gateway", () => {
  it("answers an HTTP API v2 event with Spotify's body unchanged", async () => {
    const result = await handler(loadEvent("search-http-api.json"), lambdaContext());

    expect(result.statusCode).toBe(200);
    expect(result.headers["content-type"]).toBe("application/json");
    const body = bodyOf(result);
    expect(Object.keys(body)).toEqual(["artists"]);
    expect(body.artists).toMatchObject({ offset: 0, previous: null });
    for (const field of ["href", "items", "limit", "next", "offset", "previous", "total"]) {
      expect(body.artists).toHaveProperty(field);
    }
    const search = stack.emulator.requests.filter((r) => r.endpoint === "search");
    expect(search).toHaveLength(1);
    expect(search[0]?.query).toMatchObject({ q: "BTS", type: "artist" });
  });

  it("answers a REST API v1 event, field filters and all", async () => {
    const result = await handler(loadEvent("search-rest-api.json"), lambdaContext());

    expect(result.statusCode).toBe(200);
    expect(Object.keys(bodyOf(result)).sort()).toEqual(["albums", "tracks"]);
    const sent = stack.emulator.requests.find((r) => r.endpoint === "search");
    expect(sent?.query).toMatchObject({
      q: "artist:Radiohead year:1997",
      type: "album,track",
      market: "GB",
      limit: "5",
    });
  });

  it("sends q percent-encoded so & # + and ? never split or alter it", async () => {
    const q = "tom & jerry #1 + friends? 100%";
    const result = await handler(
      httpApiEvent(`q=${encodeURIComponent(q)}&type=track`),
      lambdaContext(),
    );

    expect(result.statusCode).toBe(200);
    const sent = stack.emulator.requests.find((r) => r.endpoint === "search");
    expect(sent?.query.q).toBe(q);
    expect(sent?.query.type).toBe("track");
    expect(sent?.rawUrl).not.toContain("&jerry");
  });

  it("keeps Spotify's field filters readable on the wire", async () => {
    await handler(
      httpApiEvent("q=artist%3AMiles%20Davis%20year%3A1955-1960&type=album"),
      lambdaContext(),
    );

    const sent = stack.emulator.requests.find((r) => r.endpoint === "search");
    expect(sent?.query.q).toBe("artist:Miles Davis year:1955-1960");
    expect(sent?.rawUrl).toContain("artist:Miles");
  });

  it("passes the body through byte for byte, but for the paging links, which point at us", async () => {
    const result = await handler(httpApiEvent("q=abba&type=track,album&limit=3"), lambdaContext());

    const direct = await fetch(`${stack.emulator.apiUrl}/search?q=abba&type=track,album&limit=3`, {
      headers: { authorization: `Bearer ${stack.emulator.issueToken()}` },
    });
    const pagingLinks = /"(href|next|previous)":"[^"]*\/search\?[^"]*"/g;
    const spotify = await direct.text();
    expect(result.body.replace(pagingLinks, "")).toBe(spotify.replace(pagingLinks, ""));
    expect(result.body.match(pagingLinks)).toHaveLength(spotify.match(pagingLinks)?.length ?? -1);
    expect(result.body).not.toContain(`${stack.emulator.apiUrl}/search?`);
  });
});

describe("bad requests never reach Spotify", () => {
  const cases: [string, string, RegExp][] = [
    ["missing q", "type=artist", /\bq\b/],
    ["blank q", "q=%20%20&type=artist", /\bq\b/],
    ["missing type", "q=BTS", /\btype\b/],
    ["unknown type", "q=BTS&type=artist,singer", /\btype\b.*singer/],
    ["empty type item", "q=BTS&type=artist,", /\btype\b/],
    ["lower-case market", "q=BTS&type=artist&market=us", /\bmarket\b/],
    ["three-letter market", "q=BTS&type=artist&market=USA", /\bmarket\b/],
    [
      "include_external other than audio",
      "q=BTS&type=show&include_external=video",
      /include_external/,
    ],
    ["limit above the maximum", "q=BTS&type=artist&limit=11", /\blimit\b/],
    ["negative limit", "q=BTS&type=artist&limit=-1", /\blimit\b/],
    ["fractional limit", "q=BTS&type=artist&limit=2.5", /\blimit\b/],
    ["offset above 1000", "q=BTS&type=artist&offset=1001", /\boffset\b/],
    ["offset + limit above 1000", "q=BTS&type=artist&offset=995&limit=10", /\boffset\b.*\blimit\b/],
    ["unknown parameter", "q=BTS&type=artist&colour=blue", /colour/],
    ["repeated parameter", "q=BTS&q=ABBA&type=artist", /\bq\b/],
  ];

  it.each(cases)("%s → 400 naming the parameter", async (_name, query, message) => {
    const result = await handler(httpApiEvent(query), lambdaContext());

    expect(result.statusCode).toBe(400);
    const body = bodyOf(result);
    expect(body.error.status).toBe(400);
    expect(body.error.message).toMatch(message);
    expect(stack.emulator.count()).toBe(0);
  });

  it("the same rules hold for REST API v1 events", async () => {
    const result = await handler(
      restApiEvent({ q: ["BTS"], type: ["artist"], limit: ["99"] }),
      lambdaContext(),
    );

    expect(result.statusCode).toBe(400);
    expect(bodyOf(result).error.message).toMatch(/limit/);
    expect(stack.emulator.count()).toBe(0);
  });

  it.each(["POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"])(
    "%s → 405 with Allow: GET",
    async (method) => {
      const result = await handler(httpApiEvent("q=BTS&type=artist", method), lambdaContext());

      expect(result.statusCode).toBe(405);
      expect(result.headers.allow).toBe("GET");
      expect(bodyOf(result).error.message).toMatch(method);
      expect(stack.emulator.count()).toBe(0);
    },
  );

  it("an unknown path → 404", async () => {
    const result = await handler(
      httpApiEvent("q=BTS&type=artist", "GET", "/albums"),
      lambdaContext(),
    );

    expect(result.statusCode).toBe(404);
    expect(stack.emulator.count()).toBe(0);
  });

  it("the sample bad-request event → 400 naming limit and the unknown parameter", async () => {
    const result = await handler(loadEvent("search-bad-request.json"), lambdaContext());

    expect(result.statusCode).toBe(400);
    expect(bodyOf(result).error.message).toMatch(/colour/);
    expect(stack.emulator.count()).toBe(0);
  });
});

describe("upstream answers", () => {
  it("passes Spotify's 4xx through with its status and message", async () => {
    stack.emulator.fault("search", {
      kind: "status",
      status: 404,
      body: { error: { status: 404, message: "Not found." } },
    });

    const result = await handler(httpApiEvent("q=BTS&type=artist"), lambdaContext());

    expect(result.statusCode).toBe(404);
    expect(bodyOf(result)).toEqual({ error: { status: 404, message: "Not found." } });
  });

  it("accepts the extended-quota maximum when SPOTIFY_MAX_LIMIT is 50", async () => {
    const extended = await startTestStack({
      emulator: { profile: "extended" },
      env: { SPOTIFY_MAX_LIMIT: "50" },
    });
    try {
      const extendedHandler = await coldSearchHandler(extended.env);
      const result = await extendedHandler(
        httpApiEvent("q=BTS&type=artist&limit=50"),
        lambdaContext(),
      );
      expect(result.statusCode).toBe(200);
      expect(bodyOf(result).artists.limit).toBe(50);
    } finally {
      await extended.close();
    }
  });
});
