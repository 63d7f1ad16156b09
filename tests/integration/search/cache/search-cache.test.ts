import { createServer, type Server, type Socket } from "node:net";
import { PutItemCommand } from "@aws-sdk/client-dynamodb";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { lambdaContext } from "../../../../infra/local/lambda-context.ts";
import { cacheKey } from "../../../../lib/cache/cache-key.ts";
import { validateSearch } from "../../../../lib/search/search-params.ts";
import { coldSearchHandler } from "../../../support/container.ts";
import { startContainerProcess } from "../../../support/container-process-host.ts";
import { httpApiEvent } from "../../../support/events.ts";
import { FakeClock } from "../../../support/fake-clock.ts";
import { handlerWithClock } from "../../../support/runtime.ts";
import { motoTables } from "../../../support/shared-tables.ts";
import { startTestStack, type TestStack } from "../../../support/stack.ts";

let stack: TestStack;
const tables = motoTables("search-cache");

beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(() => stack.close());
afterEach(() => stack.emulator.reset());

/** The stack's environment with the cache on (and the shared tier on `table`, when given). */
function cacheEnv(table?: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    ...stack.env,
    CACHE_TTL_SECONDS: "600",
    ...(table ? { CACHE_TABLE_NAME: table } : {}),
    ...extra,
  };
}

const searches = () => stack.emulator.count("search");
const search = (query: string) => httpApiEvent(query);

describe("one container", () => {
  it("the same search twice → one upstream search; the second is a hit with an Age", async () => {
    const handler = await coldSearchHandler(cacheEnv(await tables.fresh()));

    const first = await handler(search("q=cache%20me&type=track"), lambdaContext());
    const second = await handler(search("q=cache%20me&type=track"), lambdaContext());

    expect(first.statusCode).toBe(200);
    expect(first.headers["cache-status"]).toBe("spotify-search; fwd=uri-miss; stored");
    expect(first.headers["cache-control"]).toBe("public, max-age=600, stale-if-error=86400");
    expect(second.statusCode).toBe(200);
    expect(second.headers["cache-status"]).toMatch(/^spotify-search; hit; ttl=(599|600)$/);
    expect(Number(second.headers.age)).toBeGreaterThanOrEqual(0);
    expect(second.headers["cache-control"]).toMatch(
      /^public, max-age=(599|600), stale-if-error=86400$/,
    );
    expect(second.body).toBe(first.body);
    expect(searches()).toBe(1);
  });

  it("type=track,artist then type=artist,track → one upstream search", async () => {
    const handler = await coldSearchHandler(cacheEnv());

    await handler(search("q=abba&type=track,artist"), lambdaContext());
    const second = await handler(search("q=abba&type=artist,track,artist"), lambdaContext());

    expect(second.headers["cache-status"]).toMatch(/; hit;/);
    expect(searches()).toBe(1);
  });

  it("market=US then market=JP → two upstream searches, each answered for its market", async () => {
    const handler = await coldSearchHandler(cacheEnv());

    await handler(search("q=abba&type=track&market=US"), lambdaContext());
    const jp = await handler(search("q=abba&type=track&market=JP"), lambdaContext());

    expect(jp.headers["cache-status"]).toBe("spotify-search; fwd=uri-miss; stored");
    const sent = stack.emulator.requests.filter((r) => r.endpoint === "search");
    expect(sent.map((r) => r.query.market)).toEqual(["US", "JP"]);
  });

  it("different limit, offset or q are different entries", async () => {
    const handler = await coldSearchHandler(cacheEnv());
    for (const query of [
      "q=a&type=track",
      "q=a&type=track&limit=3",
      "q=a&type=track&offset=5",
      "q=b&type=track",
    ]) {
      await handler(search(query), lambdaContext());
    }
    expect(searches()).toBe(4);
  });

  it("20 concurrent identical searches on a cold container → one upstream search", async () => {
    const handler = await coldSearchHandler(cacheEnv(await tables.fresh()));

    const results = await Promise.all(
      Array.from({ length: 20 }, () => handler(search("q=crowd&type=album"), lambdaContext())),
    );

    expect(results.map((r) => r.statusCode)).toEqual(Array(20).fill(200));
    expect(new Set(results.map((r) => r.body)).size).toBe(1);
    expect(searches()).toBe(1);
  });

  it("CACHE_TTL_SECONDS=0 turns caching off: every search goes upstream, no-store", async () => {
    const handler = await coldSearchHandler(cacheEnv(undefined, { CACHE_TTL_SECONDS: "0" }));

    await handler(search("q=off&type=track"), lambdaContext());
    const second = await handler(search("q=off&type=track"), lambdaContext());

    expect(second.headers["cache-status"]).toBe("spotify-search; fwd=bypass");
    expect(second.headers["cache-control"]).toBe("no-store");
    expect(searches()).toBe(2);
  });

  it("errors are never stored: a 404 is asked again", async () => {
    const handler = await coldSearchHandler(cacheEnv());
    stack.emulator.fault("search", { kind: "status", status: 404 }, 1);

    const first = await handler(search("q=gone&type=track"), lambdaContext());
    const second = await handler(search("q=gone&type=track"), lambdaContext());

    expect(first.statusCode).toBe(404);
    expect(second.statusCode).toBe(200);
    expect(second.headers["cache-status"]).toBe("spotify-search; fwd=uri-miss; stored");
    expect(searches()).toBe(2);
  });
});

describe("separate containers share tier 2", () => {
  it("a second container process answers the first one's question with zero upstream searches", async () => {
    const env = cacheEnv(await tables.fresh());
    const a = await startContainerProcess(env);
    const b = await startContainerProcess(env);
    try {
      const first = await a.invoke(search("q=shared&type=artist"));
      const before = searches();
      const second = await b.invoke(search("q=shared&type=artist"));

      expect(first.headers["cache-status"]).toBe("spotify-search; fwd=uri-miss; stored");
      expect(second.statusCode).toBe(200);
      expect(second.headers["cache-status"]).toMatch(/^spotify-search; hit; ttl=/);
      expect(second.body).toBe(first.body);
      expect(searches() - before).toBe(0);
    } finally {
      await Promise.all([a.stop(), b.stop()]);
    }
  });
});

describe("freshness", () => {
  it("after the TTL the next request goes upstream again", async () => {
    const clock = new FakeClock();
    const { handler } = handlerWithClock(
      { ...stack, env: cacheEnv(await tables.fresh(), { CACHE_TTL_SECONDS: "1" }) },
      clock,
    );
    const ask = () => handler(search("q=short&type=track"), lambdaContext(29_000, clock.now));

    await ask();
    clock.advance(500);
    const warm = await ask();
    clock.advance(600);
    const expired = await ask();

    expect(warm.headers["cache-status"]).toMatch(/; hit;/);
    // RFC 9211: a refresh of an entry past its TTL (inside its stale window) is fwd=stale.
    expect(expired.headers["cache-status"]).toBe(
      "spotify-search; fwd=stale; fwd-status=200; stored",
    );
    expect(searches()).toBe(2);
  });
});

describe("stale-if-error", () => {
  async function expiredEntry(table?: string) {
    const clock = new FakeClock();
    const env = cacheEnv(table, { CACHE_TTL_SECONDS: "60", UPSTREAM_TIMEOUT_MS: "300" });
    const { handler } = handlerWithClock({ ...stack, env }, clock);
    const ask = (query: string, remainingMs = 29_000) =>
      handler(search(query), lambdaContext(remainingMs, clock.now));
    const original = await ask("q=popular&type=track");
    clock.advance(120_000);
    return { ask, original, clock };
  }

  it("daily quota → 200 with the stale body and a negative ttl; an uncached search → 429", async () => {
    const { ask, original } = await expiredEntry(await tables.fresh());
    stack.emulator.fault("search", { kind: "quota", retryAfter: 50_000 }, 1);

    const stale = await ask("q=popular&type=track");
    const uncached = await ask("q=unpopular&type=track");

    expect(stale.statusCode).toBe(200);
    expect(stale.body).toBe(original.body);
    expect(stale.headers["cache-status"]).toBe(
      "spotify-search; fwd=stale; fwd-status=429; ttl=-60",
    );
    expect(stale.headers.age).toBe("120");
    expect(uncached.statusCode).toBe(429);
    expect(uncached.headers["retry-after"]).toBeDefined();
    expect(JSON.parse(uncached.body).error.reason).toBe("QUOTA_EXCEEDED");
  });

  it("during the cooldown a stale entry answers at once without asking Spotify", async () => {
    const { ask, original } = await expiredEntry();
    stack.emulator.fault("search", { kind: "quota", retryAfter: 50_000 }, 1);
    await ask("q=first-to-see-the-quota&type=track");
    const before = searches();

    const stale = await ask("q=popular&type=track");

    expect(stale.statusCode).toBe(200);
    expect(stale.body).toBe(original.body);
    expect(stale.headers["cache-status"]).toBe("spotify-search; hit; ttl=-60");
    expect(searches()).toBe(before);
  });

  it("503 from Spotify → the stale body; an uncached search → 502", async () => {
    const { ask, original } = await expiredEntry();
    stack.emulator.fault("search", { kind: "status", status: 503 }, 6);

    const stale = await ask("q=popular&type=track");
    const uncached = await ask("q=unpopular&type=track");

    expect(stale.statusCode).toBe(200);
    expect(stale.body).toBe(original.body);
    expect(stale.headers["cache-status"]).toMatch(
      /^spotify-search; fwd=stale; fwd-status=50\d; ttl=-6\d$/,
    );
    expect(uncached.statusCode).toBe(502);
  });

  it("a hanging Spotify → the stale body; an uncached search → 504", async () => {
    const { ask, original } = await expiredEntry();
    stack.emulator.fault("search", { kind: "hang" }, 6);

    const stale = await ask("q=popular&type=track", 3_000);
    const uncached = await ask("q=unpopular&type=track", 3_000);

    expect(stale.statusCode).toBe(200);
    expect(stale.body).toBe(original.body);
    // A timeout: Spotify sent no status, so there is no fwd-status (RFC 9211).
    expect(stale.headers["cache-status"]).toMatch(/; fwd=stale; ttl=-6\d$/);
    expect(uncached.statusCode).toBe(504);
  });

  it("past the stale window the entry is gone: the error goes to the caller", async () => {
    const { ask, clock } = await expiredEntry();
    clock.advance(86_400_000);
    stack.emulator.fault("search", { kind: "status", status: 503 }, 6);

    expect((await ask("q=popular&type=track")).statusCode).toBe(502);
  });
});

describe("never worse than no cache", () => {
  let hanging: Server;
  let connections = 0;
  const sockets: Socket[] = [];

  beforeAll(async () => {
    hanging = createServer((socket) => {
      connections++;
      sockets.push(socket);
    });
    await new Promise<void>((resolve) => hanging.listen(0, "127.0.0.1", resolve));
  });
  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => hanging.close(resolve));
  });

  function unreachableEnv(endpoint: string) {
    return cacheEnv("unreachable-table", {
      AWS_ENDPOINT_URL_DYNAMODB: endpoint,
      CACHE_READ_TIMEOUT_MS: "60",
    });
  }

  it("a DynamoDB endpoint on a closed port: searches still answer 200", async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const { port } = closed.address() as { port: number };
    await new Promise((resolve) => closed.close(resolve));
    const handler = await coldSearchHandler(unreachableEnv(`http://127.0.0.1:${port}`));

    const first = await handler(search("q=a&type=track"), lambdaContext());
    const second = await handler(search("q=b&type=track"), lambdaContext());

    expect([first.statusCode, second.statusCode]).toEqual([200, 200]);
    expect(first.headers["cache-status"]).toBe("spotify-search; fwd=uri-miss; stored");
  });

  it("a hanging DynamoDB: the first search pays one short timeout, later ones skip tier 2", async () => {
    const port = (hanging.address() as { port: number }).port;
    const normal = await coldSearchHandler(cacheEnv());
    const started = performance.now();
    await normal(search("q=baseline&type=track"), lambdaContext());
    const normalMs = performance.now() - started;
    const handler = await coldSearchHandler(unreachableEnv(`http://127.0.0.1:${port}`));

    const t0 = performance.now();
    const first = await handler(search("q=slow-1&type=track"), lambdaContext());
    const firstMs = performance.now() - t0;
    const seen = connections;
    const later = [];
    for (const q of ["q=slow-2&type=track", "q=slow-3&type=track", "q=slow-2&type=track"]) {
      later.push(await handler(search(q), lambdaContext()));
    }

    expect(first.statusCode).toBe(200);
    expect(firstMs).toBeLessThan(normalMs + 1_000);
    expect(later.map((r) => r.statusCode)).toEqual([200, 200, 200]);
    // Tier 2 is skipped after the failure: no further connection to the hanging table.
    expect(seen).toBeGreaterThan(0);
    expect(connections).toBe(seen);
    // Tier 1 still works meanwhile.
    expect(later[2]?.headers["cache-status"]).toMatch(/; hit;/);
  });

  it("a foreign item under a real key (garbage bytes) → 200 from Spotify", async () => {
    const table = await tables.fresh();
    const key = cacheKey(
      validateSearch({ q: "garbage", type: "track" }, 10),
      stack.env.SPOTIFY_API_URL ?? "",
    );
    const future = String(Math.ceil(Date.now() / 1000) + 3_600);
    await tables.dynamo.send(
      new PutItemCommand({
        TableName: table,
        Item: {
          pk: { S: key },
          v: { N: "1" },
          body: { B: new Uint8Array([1, 2, 3, 4, 5, 6]) },
          storedAt: { N: String(Date.now()) },
          freshUntil: { N: String(Date.now() + 3_600_000) },
          expiresAt: { N: future },
        },
      }),
    );
    const handler = await coldSearchHandler(cacheEnv(table));

    const result = await handler(search("q=garbage&type=track"), lambdaContext());

    expect(result.statusCode).toBe(200);
    expect(result.headers["cache-status"]).toBe("spotify-search; fwd=uri-miss; stored");
    expect(searches()).toBe(1);
  });

  it("an item past its freshness that DynamoDB has not deleted yet is not served as fresh", async () => {
    const table = await tables.fresh();
    const env = cacheEnv(table, { CACHE_TTL_SECONDS: "1", CACHE_STALE_IF_ERROR_SECONDS: "0" });
    const first = await coldSearchHandler(env);
    await first(search("q=old&type=track"), lambdaContext());
    await new Promise((resolve) => setTimeout(resolve, 1_100));

    const second = await coldSearchHandler(env);
    const result = await second(search("q=old&type=track"), lambdaContext());

    expect(result.headers["cache-status"]).toBe("spotify-search; fwd=uri-miss; stored");
    expect(searches()).toBe(2);
  });
});
