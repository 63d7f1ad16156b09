import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { lambdaContext } from "../../../infra/local/lambda-context.ts";
import { systemClock } from "../../../lib/clock.ts";
import { coldSearchHandler } from "../../support/container.ts";
import { httpApiEvent } from "../../support/events.ts";
import { handlerWithClock } from "../../support/runtime.ts";
import { MOTO_TABLE_TIMEOUTS, motoTables } from "../../support/shared-tables.ts";
import { startTestStack, type TestStack } from "../../support/stack.ts";

let stack: TestStack;
const tables = motoTables("lockout");

beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(() => stack.close());
afterEach(() => stack.emulator.reset());

async function fleetEnv(extra: Record<string, string> = {}): Promise<Record<string, string>> {
  const table = await tables.fresh();
  return {
    ...stack.env,
    CACHE_TTL_SECONDS: "600",
    ...MOTO_TABLE_TIMEOUTS,
    CACHE_TABLE_NAME: table,
    ...extra,
  };
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const search = (q: string) => httpApiEvent(`q=${q}&type=track`);
const sent = (endpoint: "search" | "token") =>
  stack.emulator.requests
    .filter((r) => r.endpoint === endpoint)
    .sort((x, y) => x.receivedAt - y.receivedAt);

describe("after a quota lockout longer than the token's life", () => {
  it("containers whose tokens expired: exactly one search goes first, the others after its answer", async () => {
    // Tokens live 2 s (refreshed after 1 s): all of them expire inside the 4 s quota window.
    stack.emulator.setTokenLifetime(2);
    const env = await fleetEnv();
    const fleet = [];
    for (let i = 0; i < 4; i++) fleet.push(await coldSearchHandler(env));
    for (const [i, handler] of fleet.entries()) await handler(search(`warm-${i}`), lambdaContext());
    stack.emulator.reset();
    stack.emulator.setTokenLifetime(2);
    stack.emulator.fault("search", { kind: "quota", retryAfter: 4 }, 1);
    const [first] = fleet;
    if (!first) throw new Error("no container");
    const limited = await first(search("limited"), lambdaContext());
    expect(limited.statusCode).toBe(429);
    const windowEnd = (sent("search")[0]?.receivedAt ?? Number.NaN) + 4_000;
    // The first search after the window answers slowly, so a second one at the same time shows.
    stack.emulator.fault("search", { kind: "delay", ms: 400 }, 1);
    await pause(Math.max(0, windowEnd - Date.now()) + 100);

    const answers = await Promise.all(
      fleet.map((handler, i) => handler(search(`after-${i}`), lambdaContext())),
    );

    console.log(
      JSON.stringify(
        stack.emulator.requests.map((r) => [
          r.endpoint,
          r.query.q,
          r.status,
          r.receivedAt - windowEnd,
          (r.answeredAt ?? 0) - windowEnd,
        ]),
      ),
    );
    expect(answers.map((a) => a.statusCode)).toEqual([200, 200, 200, 200]);
    const limitedAt = sent("search")[0]?.receivedAt ?? Number.NaN;
    const tokens = sent("token").filter((token) => token.receivedAt > limitedAt);
    const [probe, ...others] = sent("search").slice(1);
    // Every container needed a token; none of them went inside the window, and none was the probe.
    expect(tokens.length).toBeGreaterThanOrEqual(4);
    for (const token of tokens) expect(token.receivedAt).toBeGreaterThanOrEqual(windowEnd);
    expect(probe?.receivedAt).toBeGreaterThanOrEqual(windowEnd);
    expect(others).toHaveLength(3);
    for (const other of others) {
      expect(other.receivedAt - (probe?.receivedAt ?? Number.NaN)).toBeGreaterThanOrEqual(400);
    }
  });
});

describe("the probe's lease covers its retries", () => {
  it("a probe whose first attempt times out and retries after a long backoff keeps the others waiting", async () => {
    const env = await fleetEnv({
      UPSTREAM_TIMEOUT_MS: "400",
      RETRY_BASE_DELAY_MS: "2000",
      CACHE_TTL_SECONDS: "0",
    });
    // random() = 1: the longest backoff, so the attempt and its backoff outlast 1 s.
    const probe = handlerWithClock({ ...stack, env }, systemClock, () => 0.999).handler;
    const other = handlerWithClock({ ...stack, env }, systemClock, () => 0.999).handler;
    await probe(search("warm-a"), lambdaContext());
    await other(search("warm-b"), lambdaContext());
    stack.emulator.reset();
    stack.emulator.fault("search", { kind: "quota", retryAfter: 1 }, 1);
    expect((await probe(search("limited"), lambdaContext())).statusCode).toBe(429);
    await pause(1_100);
    stack.emulator.fault("search", { kind: "hang" }, 1);

    const probing = probe(search("probe"), lambdaContext());
    await pause(1_500);
    const waiting = other(search("waiting"), lambdaContext());
    const [a, b] = await Promise.all([probing, waiting]);

    expect([a.statusCode, b.statusCode]).toEqual([200, 200]);
    const [, hung, retried, after] = sent("search");
    expect(hung?.query.q).toBe("probe");
    expect(retried?.query.q).toBe("probe");
    // The other container went only once the probe's retry had its answer.
    expect(after?.query.q).toBe("waiting");
    expect(after?.receivedAt).toBeGreaterThan(retried?.receivedAt ?? Number.NaN);
  });
});
