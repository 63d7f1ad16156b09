import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { lambdaContext } from "../../../infra/local/lambda-context.ts";
import { coldSearchHandler } from "../../support/container.ts";
import { httpApiEvent } from "../../support/events.ts";
import { FakeClock } from "../../support/fake-clock.ts";
import { findLeaks } from "../../support/leak-scan.ts";
import { handlerWithClock } from "../../support/runtime.ts";
import { startTestStack, type TestStack } from "../../support/stack.ts";

let stack: TestStack | undefined;
let output: string[] = [];

/** Lambda sends stdout and stderr to CloudWatch alike; Powertools writes warnings and errors to stderr. */
beforeEach(() => {
  output = [];
  for (const stream of [process.stdout, process.stderr]) {
    const write = stream.write.bind(stream);
    vi.spyOn(stream, "write").mockImplementation(
      (chunk: string | Uint8Array, ...rest: unknown[]) => {
        output.push(typeof chunk === "string" ? chunk : Buffer.from(chunk).toString());
        return (write as (...args: unknown[]) => boolean)(chunk, ...rest);
      },
    );
  }
});
afterEach(async () => {
  vi.restoreAllMocks();
  await stack?.close();
  stack = undefined;
});

type Line = Record<string, unknown>;
const lines = (): Line[] =>
  output
    .join("")
    .split("\n")
    .filter((line) => line.startsWith("{"))
    .map((line) => JSON.parse(line) as Line);
const logs = () => lines().filter((line) => !("_aws" in line));
const emf = () => lines().filter((line) => "_aws" in line);

/** Sums a metric over every EMF record, optionally only those with the given dimension value. */
function metric(name: string, dimension?: [string, string]): number {
  return emf()
    .filter((record) => !dimension || record[dimension[0]] === dimension[1])
    .map((record) => record[name])
    .flatMap((value) => (Array.isArray(value) ? value : value === undefined ? [] : [value]))
    .reduce((sum: number, value) => sum + Number(value), 0);
}

describe("logs and metrics of a faulty run", () => {
  it("a 429, a 401 and a 503 on one search: every step logged and counted, no secret anywhere", async () => {
    const clock = new FakeClock();
    stack = await startTestStack({ emulator: { now: clock.now } });
    const { handler } = handlerWithClock(stack, clock, () => 0.5);
    stack.emulator.fault("search", { kind: "rate-limit", retryAfter: "2" });
    stack.emulator.fault("search", { kind: "unauthorized" });
    stack.emulator.fault("search", { kind: "status", status: 503 });
    const event = httpApiEvent("q=Massive%20Attack&type=artist");
    const context = lambdaContext(29_000, clock.now);

    const result = await handler(event, context);

    expect(result.statusCode).toBe(200);
    const records = logs();
    for (const record of records) {
      expect(record).toMatchObject({
        level: expect.any(String),
        message: expect.any(String),
        timestamp: expect.any(String),
        service: "spotify-search",
        function_request_id: context.awsRequestId,
        api_request_id: event.requestContext.requestId,
      });
    }
    const retries = records.filter((record) => record.message === "Retrying upstream call");
    expect(retries.map((r) => [r.reason, r.attempt, r.upstream])).toEqual([
      ["rate-limited", 1, "HTTP 429"],
      ["unauthorized", 2, "HTTP 401"],
      ["server-error", 3, "HTTP 503"],
    ]);
    expect(retries.map((r) => r.delayMs)).toEqual([2000, 0, 100]);
    expect(records.filter((r) => r.message === "Waiting out the rate-limit cooldown")).toHaveLength(
      1,
    );
    expect(records.filter((r) => r.message === "Fetched a Spotify access token")).toHaveLength(2);

    expect(
      emf().every(
        (record) =>
          (record._aws as { CloudWatchMetrics: { Namespace: string }[] }).CloudWatchMetrics[0]
            ?.Namespace === "SpotifySearch",
      ),
    ).toBe(true);
    expect(metric("UpstreamRetries", ["reason", "rate-limited"])).toBe(1);
    expect(metric("UpstreamRetries", ["reason", "unauthorized"])).toBe(1);
    expect(metric("UpstreamRetries", ["reason", "server-error"])).toBe(1);
    expect(metric("TokenRefreshes")).toBe(2);
    expect(metric("SecretReads")).toBe(1);
    const latencies = emf().flatMap((record) => record.UpstreamLatency ?? []);
    expect(latencies).toHaveLength(6);
    expect(findLeaks(output.join(""), "this run")).toEqual([]);
  });

  it("an answer of 429 to the caller counts ThrottledAnswers", async () => {
    stack = await startTestStack();
    const handler = await coldSearchHandler(stack.env);
    stack.emulator.fault("search", { kind: "quota", retryAfter: 3600 });

    const first = await handler(httpApiEvent("q=Portishead&type=artist"), lambdaContext());
    const second = await handler(httpApiEvent("q=Portishead&type=artist"), lambdaContext());

    expect([first.statusCode, second.statusCode]).toEqual([429, 429]);
    expect(metric("ThrottledAnswers")).toBe(2);
    expect(metric("CooldownRejections")).toBe(1);
    expect(
      logs().some(
        (r) => r.message === "Answering from the rate-limit cooldown without calling Spotify",
      ),
    ).toBe(true);
  });

  it("the log level comes from POWERTOOLS_LOG_LEVEL", async () => {
    stack = await startTestStack({ env: { POWERTOOLS_LOG_LEVEL: "ERROR" } });
    const handler = await coldSearchHandler(stack.env);
    stack.emulator.fault("search", { kind: "status", status: 500 }, -1);

    const result = await handler(httpApiEvent("q=Tricky&type=artist"), lambdaContext());

    expect(result.statusCode).toBe(502);
    expect(logs().map((r) => r.level)).toEqual(["ERROR"]);
    expect(logs()[0]).toMatchObject({ message: "Search failed", status: 502 });
  });
});

describe("logs and metrics of the cache", () => {
  it("a miss, a hit, a stale answer and a tier-2 error are each counted, no secret anywhere", async () => {
    const clock = new FakeClock();
    stack = await startTestStack({ emulator: { now: clock.now } });
    const env = {
      ...stack.env,
      CACHE_TTL_SECONDS: "60",
      CACHE_TABLE_NAME: "no-such-table",
      CACHE_READ_TIMEOUT_MS: "2000",
    };
    const { handler } = handlerWithClock({ ...stack, env }, clock);
    const ask = () =>
      handler(httpApiEvent("q=Portishead&type=artist"), lambdaContext(29_000, clock.now));

    await ask();
    await ask();
    clock.advance(61_000);
    stack.emulator.fault("search", { kind: "quota", retryAfter: 3_600 });
    const stale = await ask();

    expect(stale.statusCode).toBe(200);
    expect(metric("CacheMisses")).toBe(1);
    expect(metric("CacheMemoryHits")).toBe(1);
    expect(metric("CacheStaleAnswers")).toBe(1);
    expect(metric("CacheSharedErrors")).toBeGreaterThanOrEqual(1);
    const warning = logs().find(
      (line) => line.message === "Shared cache unavailable: skipping it for a while",
    );
    expect(warning).toMatchObject({ level: "WARN", table: "no-such-table" });
    expect(findLeaks(output.join(""), "function output")).toEqual([]);
  });
});
