import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { lambdaContext } from "../../../../infra/local/lambda-context.ts";
import type { Log, MetricName, MetricsSink } from "../../../../lib/observability/types.ts";
import { httpApiEvent } from "../../../support/events.ts";
import { FakeClock } from "../../../support/fake-clock.ts";
import { handlerWithClock } from "../../../support/runtime.ts";
import { motoTables } from "../../../support/shared-tables.ts";
import { startTestStack, type TestStack } from "../../../support/stack.ts";

let stack: TestStack;
const tables = motoTables("stale-rules");

beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(() => stack.close());
afterEach(() => stack.emulator.reset());

/** Log lines and dimensioned counts, as CloudWatch would see them. */
function recorder() {
  const lines: { level: string; message: string; extra: Record<string, unknown> }[] = [];
  const counts: { name: MetricName; dimensions?: Record<string, string> }[] = [];
  const push =
    (level: string) =>
    (message: string, ...extra: Record<string, unknown>[]) =>
      lines.push({ level, message, extra: Object.assign({}, ...extra) });
  const log: Log = {
    debug: push("debug"),
    info: push("info"),
    warn: push("warn"),
    error: push("error"),
  };
  const metrics: MetricsSink = {
    count: (name, _value, dimensions) => counts.push({ name, dimensions }),
    milliseconds: () => {},
  };
  return { lines, counts, log, metrics };
}

/** A container on the stack with an injected clock, and `env` over the cache's settings. */
function container(clock: FakeClock, env: Record<string, string>, seen = recorder()) {
  const { handler } = handlerWithClock(
    { ...stack, env: { ...stack.env, CACHE_TTL_SECONDS: "60", ...env } },
    clock,
    () => 0,
    { log: seen.log, metrics: seen.metrics },
  );
  const ask = (q: string) =>
    handler(httpApiEvent(`q=${q}&type=track`), lambdaContext(29_000, clock.now));
  return { ask, seen };
}

const searches = () => stack.emulator.count("search");

describe("tier 2: the reader's rules win over the writer's", () => {
  it("a reader with CACHE_TTL_SECONDS=1 goes to Spotify for an entry stored 2 s earlier with a 300 s TTL", async () => {
    const table = await tables.fresh();
    const clock = new FakeClock(Date.now());
    const writer = container(clock, { CACHE_TABLE_NAME: table, CACHE_TTL_SECONDS: "300" });
    const reader = container(clock, { CACHE_TABLE_NAME: table, CACHE_TTL_SECONDS: "1" });

    await writer.ask("rules");
    clock.advance(2_000);
    const read = await reader.ask("rules");

    expect(searches()).toBe(2);
    expect(read.headers["cache-status"]).toMatch(/fwd=stale; fwd-status=200/);
  });

  it("the same entry 0.5 s after it was stored is a hit for that reader, fresh for the 1 s it allows", async () => {
    const table = await tables.fresh();
    const clock = new FakeClock(Date.now());
    const writer = container(clock, { CACHE_TABLE_NAME: table, CACHE_TTL_SECONDS: "300" });
    const reader = container(clock, { CACHE_TABLE_NAME: table, CACHE_TTL_SECONDS: "1" });

    await writer.ask("half");
    clock.advance(500);
    const read = await reader.ask("half");

    expect(searches()).toBe(1);
    expect(read.headers["cache-control"]).toMatch(/max-age=1,/);
    expect(read.headers["cache-status"]).toBe("spotify-search; hit; ttl=0");
  });

  it("a reader with CACHE_STALE_IF_ERROR_SECONDS=0 never answers stale from another's entry", async () => {
    const table = await tables.fresh();
    const clock = new FakeClock(Date.now());
    const writer = container(clock, {
      CACHE_TABLE_NAME: table,
      CACHE_STALE_IF_ERROR_SECONDS: "86400",
    });
    const reader = container(clock, { CACHE_TABLE_NAME: table, CACHE_STALE_IF_ERROR_SECONDS: "0" });
    await writer.ask("nostale");
    clock.advance(61_000);
    stack.emulator.fault("search", { kind: "status", status: 503 }, 10);

    const read = await reader.ask("nostale");

    expect(read.statusCode).toBe(502);
  });
});

describe("stale at once", () => {
  it("an expired entry and a 429 with Retry-After: 3 → the stale 200 in under a second, one search", async () => {
    const clock = new FakeClock(Date.now());
    const { ask } = container(clock, {});
    await ask("limited");
    clock.advance(61_000);
    stack.emulator.fault("search", { kind: "rate-limit", retryAfter: "3" }, 5);
    const before = searches();
    const started = clock.now();

    const answer = await ask("limited");

    expect(answer.statusCode).toBe(200);
    expect(answer.headers["cache-status"]).toMatch(/fwd=stale; fwd-status=429; ttl=-/);
    expect(searches() - before).toBe(1);
    // Nothing slept: the fake clock moves only when something waits.
    expect(clock.now() - started).toBeLessThan(1_000);
  });

  it("three 503s with an expired entry → the stale 200 with fwd-status=503", async () => {
    const clock = new FakeClock(Date.now());
    const { ask } = container(clock, {});
    await ask("unwell");
    clock.advance(61_000);
    stack.emulator.fault("search", { kind: "status", status: 503 }, 3);

    const answer = await ask("unwell");

    expect(answer.statusCode).toBe(200);
    expect(answer.headers["cache-status"]).toMatch(
      /^spotify-search; fwd=stale; fwd-status=503; ttl=-\d+$/,
    );
    expect(stack.emulator.count("search")).toBe(1 + 3);
  });
});

describe("our own failures are never silent", () => {
  it("stale because Spotify rejected our credentials (a bad rotation): ERROR, counted by reason", async () => {
    const clock = new FakeClock(Date.now());
    const { ask, seen } = container(clock, {});
    await ask("rotated");
    // Spotify now knows other credentials; the secret still holds the old ones.
    stack.emulator.setClient("rotated-client-id", "rotated-client-secret");
    clock.advance(3_700_000);

    const answer = await ask("rotated");

    expect(answer.statusCode).toBe(200);
    expect(answer.headers["cache-status"]).toMatch(/^spotify-search; fwd=stale; ttl=-\d+$/);
    const stale = seen.counts.filter((c) => c.name === "CacheStaleAnswers");
    expect(stale).toEqual([
      { name: "CacheStaleAnswers", dimensions: { reason: "credentials-rejected" } },
    ]);
    const error = seen.lines.find((l) => l.level === "error" && /past its TTL/.test(l.message));
    expect(error?.extra.reason).toBe("credentials-rejected");
  });

  it("Spotify's own 503s stay a normal stale answer: INFO, reason upstream", async () => {
    const clock = new FakeClock(Date.now());
    const { ask, seen } = container(clock, {});
    await ask("outage");
    clock.advance(61_000);
    stack.emulator.fault("search", { kind: "status", status: 503 }, 3);

    await ask("outage");

    const stale = seen.counts.filter((c) => c.name === "CacheStaleAnswers");
    expect(stale).toEqual([{ name: "CacheStaleAnswers", dimensions: { reason: "upstream" } }]);
    expect(seen.lines.some((l) => l.level === "error")).toBe(false);
  });
});
