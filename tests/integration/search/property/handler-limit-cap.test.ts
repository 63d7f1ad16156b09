import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Profile } from "../../../../infra/local/emulator/types.ts";
import { lambdaContext } from "../../../../infra/local/lambda-context.ts";
import { coldSearchHandler } from "../../../support/container.ts";
import { httpApiEvent } from "../../../support/events.ts";
import { startTestStack, type TestStack } from "../../../support/stack.ts";
import { searchesIn } from "./arbitraries.ts";

/**
 * A search with an offset but no limit: the service must make sure the page Spotify picks
 * (its own default limit) still ends inside offset 1000, and is no larger than the configured
 * SPOTIFY_MAX_LIMIT.
 */
function withStack(profile: Profile, maxLimit: string) {
  const context: { stack?: TestStack; handler?: Awaited<ReturnType<typeof coldSearchHandler>> } =
    {};
  beforeAll(async () => {
    context.stack = await startTestStack({
      emulator: { profile },
      env: { SPOTIFY_MAX_LIMIT: maxLimit },
    });
    context.handler = await coldSearchHandler(context.stack.env);
    // Build the container's runtime now, while process.env is this stack's.
    await context.handler(httpApiEvent("q=warm&type=track"), lambdaContext());
  });
  afterAll(() => context.stack?.close());
  return async (rawQuery: string) => {
    const { stack, handler } = context;
    if (!stack || !handler) throw new Error("stack not started");
    stack.emulator.reset();
    const result = await handler(httpApiEvent(rawQuery), lambdaContext());
    return { result, searches: searchesIn(stack.emulator.requests) };
  };
}

const offsets = fc.oneof(
  fc.integer({ min: 0, max: 1000 }),
  fc.integer({ min: 975, max: 1000 }),
  fc.constantFrom(980, 981, 985, 990, 991, 995, 999, 1000),
);

describe("development-mode app, SPOTIFY_MAX_LIMIT=10 (the defaults)", () => {
  const search = withStack("development", "10");

  it("any offset without a limit gets a page that ends inside 1000", async () => {
    await fc.assert(
      fc.asyncProperty(offsets, async (offset) => {
        const { result, searches } = await search(`q=abba&type=track&offset=${offset}`);

        expect(result.statusCode).toBe(200);
        expect(searches.map((s) => s.status)).toEqual([200]);
        const page = JSON.parse(result.body).tracks;
        expect(page.offset + page.limit).toBeLessThanOrEqual(1000);
        expect(page.limit).toBeLessThanOrEqual(10);
      }),
      { numRuns: 150 },
    );
  });
});

describe("extended-quota app, SPOTIFY_MAX_LIMIT=10 (the default)", () => {
  const search = withStack("extended", "10");

  it("a search without offset or limit gets a page of SPOTIFY_MAX_LIMIT items", async () => {
    const { result } = await search("q=abba&type=track");

    expect(result.statusCode).toBe(200);
  });

  it("any offset without a limit gets a page that ends inside 1000", async () => {
    await fc.assert(
      fc.asyncProperty(offsets, async (offset) => {
        const { result, searches } = await search(`q=abba&type=track&offset=${offset}`);

        expect(searches.map((s) => s.status)).toEqual([200]);
        expect(result.statusCode).toBe(200);
      }),
      { numRuns: 150 },
    );
  });
});

describe("development-mode app, SPOTIFY_MAX_LIMIT=3", () => {
  const search = withStack("development", "3");

  it("a search without a limit never gets more than SPOTIFY_MAX_LIMIT items", async () => {
    await fc.assert(
      fc.asyncProperty(offsets, async (offset) => {
        const { result } = await search(`q=abba&type=track&offset=${offset}`);

        expect(result.statusCode).toBe(200);
        expect(JSON.parse(result.body).tracks.limit).toBeLessThanOrEqual(3);
      }),
      { numRuns: 50 },
    );
  });

  it("an explicit limit above SPOTIFY_MAX_LIMIT is refused before Spotify", async () => {
    const { result, searches } = await search("q=abba&type=track&limit=4");

    expect(result.statusCode).toBe(400);
    expect(JSON.parse(result.body).error.message).toBe(
      "Parameter limit must be an integer from 0 to 3",
    );
    expect(searches).toEqual([]);
  });
});
