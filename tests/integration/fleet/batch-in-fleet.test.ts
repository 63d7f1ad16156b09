import { randomUUID } from "node:crypto";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { lambdaContext } from "../../../infra/local/lambda-context.ts";
import { collect } from "../../../lib/batch/collect.ts";
import { CollectionFailedError } from "../../../lib/batch/collection-summary.ts";
import { systemClock } from "../../../lib/clock.ts";
import { Deadline } from "../../../lib/deadline.ts";
import { collectorWithClock } from "../../support/collector.ts";
import { coldSearchHandler } from "../../support/container.ts";
import { httpApiEvent } from "../../support/events.ts";
import { MOTO_TABLE_TIMEOUTS, motoTables } from "../../support/shared-tables.ts";
import { startTestStack, type TestStack } from "../../support/stack.ts";

let stack: TestStack;
const tables = motoTables("batch-fleet");

beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(() => stack.close());
afterEach(() => stack.emulator.reset());

/** Both functions' environment on one shared table. */
async function sharedEnv(extra: Record<string, string> = {}): Promise<Record<string, string>> {
  const table = await tables.fresh();
  return {
    ...stack.env,
    CACHE_TABLE_NAME: table,
    CACHE_TTL_SECONDS: "600",
    ...MOTO_TABLE_TIMEOUTS,
    ...extra,
  };
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const searchesFor = (prefix: string) =>
  stack.emulator.requests.filter((r) => r.endpoint === "search" && r.query.q?.startsWith(prefix));

/** One scheduled run of `count` searches through the scheduled function's root. */
function runBatch(env: Record<string, string>, count: number) {
  const collector = collectorWithClock(stack, systemClock, env);
  const queries = Array.from({ length: count }, (_, i) => ({ q: `batch-${i}`, type: "artist" }));
  const run = { runId: `fleet-${randomUUID()}`, startedAt: new Date(), queries };
  return collect(run, new Deadline(Date.now() + 60_000, systemClock), collector);
}

describe("the batch joins the fleet's budget", () => {
  it("a search container's 429 (Retry-After: 3): a run 200 ms later sends nothing before the window ends, then all succeed", async () => {
    const env = await sharedEnv();
    const api = await coldSearchHandler(env);
    await api(httpApiEvent("q=warm&type=artist"), lambdaContext());
    stack.emulator.fault("search", { kind: "rate-limit", retryAfter: "3" }, 1);

    const asked = api(httpApiEvent("q=api&type=artist"), lambdaContext());
    for (let i = 0; i < 100 && searchesFor("api").length === 0; i++) await pause(10);
    await pause(200);
    const summary = await runBatch(env, 3);
    await asked;

    const limited = searchesFor("api").find((r) => r.status === 429);
    expect(limited).toBeDefined();
    expect(summary).toMatchObject({ succeeded: 3, failed: 0, skipped: 0 });
    const batch = searchesFor("batch-");
    expect(batch).toHaveLength(3);
    for (const search of batch) {
      expect(search.receivedAt - (limited?.receivedAt ?? Number.NaN)).toBeGreaterThanOrEqual(3_000);
    }
  });

  it("the batch's own 429 (Retry-After: 20) is announced: a search container asked right after answers 429 without calling Spotify", async () => {
    const env = await sharedEnv({ BATCH_MAX_WAIT_SECONDS: "5" });
    stack.emulator.fault("search", { kind: "rate-limit", retryAfter: "20" }, 1);

    const failed = await runBatch(env, 2).catch((error: unknown) => error);
    const api = await coldSearchHandler(env);
    const before = stack.emulator.count("search");
    const answer = await api(httpApiEvent("q=api&type=artist"), lambdaContext());

    expect(failed).toBeInstanceOf(CollectionFailedError);
    expect(answer.statusCode).toBe(429);
    expect(Number(answer.headers["retry-after"])).toBeLessThanOrEqual(20);
    expect(Number(answer.headers["retry-after"])).toBeGreaterThanOrEqual(15);
    expect(stack.emulator.count("search")).toBe(before);
  });

  it("a window longer than BATCH_MAX_WAIT_SECONDS: no search is sent, every query is skipped with the reason", async () => {
    const env = await sharedEnv({ BATCH_MAX_WAIT_SECONDS: "5", RETRY_MAX_WAIT_SECONDS: "0" });
    const api = await coldSearchHandler(env);
    stack.emulator.fault("search", { kind: "rate-limit", retryAfter: "30" }, 1);
    expect((await api(httpApiEvent("q=api&type=artist"), lambdaContext())).statusCode).toBe(429);

    const failed = await runBatch(env, 3).catch((error: unknown) => error);

    expect(searchesFor("batch-")).toHaveLength(0);
    expect(failed).toBeInstanceOf(CollectionFailedError);
    const { summary } = failed as CollectionFailedError;
    expect(summary).toMatchObject({ succeeded: 0, skipped: 3, requests: 0 });
    expect(summary.skippedQueries.map((q) => q.reason)).toEqual([
      "rate-limit-window",
      "rate-limit-window",
      "rate-limit-window",
    ]);
  });
});
