import { afterEach, describe, expect, it } from "vitest";
import { lambdaContext } from "../../../infra/local/lambda-context.ts";
import { coldSearchHandler } from "../../support/container.ts";
import { httpApiEvent } from "../../support/events.ts";
import { FakeClock } from "../../support/fake-clock.ts";
import { handlerWithClock } from "../../support/runtime.ts";
import { startTestStack, type TestStack } from "../../support/stack.ts";

const search = () => httpApiEvent("q=Aphex%20Twin&type=track");
let stack: TestStack | undefined;

afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

async function warmHandler(env: Record<string, string> = {}) {
  stack = await startTestStack({ env });
  const handler = await coldSearchHandler(stack.env);
  expect((await handler(search(), lambdaContext())).statusCode).toBe(200);
  stack.emulator.reset();
  return handler;
}

function searches() {
  return stack?.emulator.requests.filter((r) => r.endpoint === "search") ?? [];
}

const errorOf = (result: { body: string }) => JSON.parse(result.body).error;

describe("429 with Retry-After", () => {
  it("Retry-After: 1 → waits at least 1 s, retries, 200", async () => {
    const handler = await warmHandler();
    stack?.emulator.fault("search", { kind: "rate-limit", retryAfter: "1" });

    const result = await handler(search(), lambdaContext());

    expect(result.statusCode).toBe(200);
    const [limited, retried] = searches();
    expect(limited?.status).toBe(429);
    expect(retried?.status).toBe(200);
    expect((retried?.receivedAt ?? 0) - (limited?.receivedAt ?? 0)).toBeGreaterThanOrEqual(1000);
  });

  it("Retry-After: 30 with 3 s left → 429 at once with Retry-After for the caller", async () => {
    const handler = await warmHandler();
    stack?.emulator.fault("search", { kind: "rate-limit", retryAfter: "30" });

    const started = Date.now();
    const result = await handler(search(), lambdaContext(3_000));
    const elapsed = Date.now() - started;

    expect(result.statusCode).toBe(429);
    expect(result.headers["retry-after"]).toBe("30");
    expect(errorOf(result)).toMatchObject({ status: 429 });
    expect(elapsed).toBeLessThan(1_500);
    expect(searches()).toHaveLength(1);
  });

  it("a Retry-After beyond the configured cap is handed to the caller, even with time to spare", async () => {
    const handler = await warmHandler({ RETRY_MAX_WAIT_SECONDS: "2" });
    stack?.emulator.fault("search", { kind: "rate-limit", retryAfter: "4" });

    const result = await handler(search(), lambdaContext());

    expect(result.statusCode).toBe(429);
    expect(result.headers["retry-after"]).toBe("4");
    expect(searches()).toHaveLength(1);
  });

  it.each([
    ["missing", null],
    ["0", "0"],
    ["unparsable", "soon"],
  ])("Retry-After %s → the default wait of 5 s, then the retry", async (_name, retryAfter) => {
    const clock = new FakeClock();
    stack = await startTestStack({ emulator: { now: clock.now } });
    const { handler } = handlerWithClock(stack, clock);
    stack.emulator.fault("search", { kind: "rate-limit", retryAfter });

    const result = await handler(search(), lambdaContext(29_000, clock.now));

    expect(result.statusCode).toBe(200);
    const [limited, retried] = searches();
    expect((retried?.receivedAt ?? 0) - (limited?.receivedAt ?? 0)).toBe(5_000);
  });

  it("a lower-case retry-after header with an empty body is honoured", async () => {
    const clock = new FakeClock();
    stack = await startTestStack({ emulator: { now: clock.now } });
    const { handler } = handlerWithClock(stack, clock);
    stack.emulator.fault("search", {
      kind: "rate-limit",
      retryAfter: "3",
      lowerCaseHeader: true,
      emptyBody: true,
    });

    const result = await handler(search(), lambdaContext(29_000, clock.now));

    expect(result.statusCode).toBe(200);
    const [limited, retried] = searches();
    expect((retried?.receivedAt ?? 0) - (limited?.receivedAt ?? 0)).toBe(3_000);
  });

  it("a 429 from the token endpoint follows the same rule", async () => {
    const clock = new FakeClock();
    stack = await startTestStack({ emulator: { now: clock.now } });
    const { handler } = handlerWithClock(stack, clock);
    stack.emulator.fault("token", { kind: "rate-limit", retryAfter: "2" });

    const result = await handler(search(), lambdaContext(29_000, clock.now));

    expect(result.statusCode).toBe(200);
    const tokens = stack.emulator.requests.filter((r) => r.endpoint === "token");
    expect(tokens.map((r) => r.status)).toEqual([429, 200]);
    expect((tokens[1]?.receivedAt ?? 0) - (tokens[0]?.receivedAt ?? 0)).toBe(2_000);
  });
});

describe("container-wide cooldown", () => {
  it("daily quota → 429 at once; the next 100 warm invocations send nothing and count down", async () => {
    const clock = new FakeClock();
    stack = await startTestStack({ emulator: { now: clock.now } });
    const { handler } = handlerWithClock(stack, clock);
    await handler(search(), lambdaContext(29_000, clock.now));
    stack.emulator.reset();
    stack.emulator.fault("search", { kind: "quota", retryAfter: 86_400 });

    const first = await handler(search(), lambdaContext(29_000, clock.now));
    expect(first.statusCode).toBe(429);
    expect(first.headers["retry-after"]).toBe("86400");
    expect(errorOf(first)).toMatchObject({ status: 429, reason: "QUOTA_EXCEEDED" });
    expect(clock.sleeps).toEqual([]);

    const later: number[] = [];
    for (let i = 0; i < 100; i++) {
      clock.advance(60_000);
      const result = await handler(search(), lambdaContext(29_000, clock.now));
      expect(result.statusCode).toBe(429);
      expect(errorOf(result).reason).toBe("QUOTA_EXCEEDED");
      later.push(Number(result.headers["retry-after"]));
    }

    expect(stack.emulator.count()).toBe(1);
    expect(later[0]).toBe(86_400 - 60);
    expect(later[99]).toBe(86_400 - 6_000);
    expect(clock.sleeps).toEqual([]);
  });

  it("after the quota's Retry-After has passed, the container calls Spotify again", async () => {
    const clock = new FakeClock();
    stack = await startTestStack({ emulator: { now: clock.now } });
    const { handler } = handlerWithClock(stack, clock);
    stack.emulator.fault("search", { kind: "quota", retryAfter: 50_000 });
    await handler(search(), lambdaContext(29_000, clock.now));

    clock.advance(50_000_000);
    const result = await handler(search(), lambdaContext(29_000, clock.now));

    expect(result.statusCode).toBe(200);
  });

  it("a later invocation inside a short Retry-After waits it out instead of calling Spotify", async () => {
    const clock = new FakeClock();
    stack = await startTestStack({ emulator: { now: clock.now } });
    const { handler } = handlerWithClock(stack, clock);
    stack.emulator.fault("search", { kind: "rate-limit", retryAfter: "40" });
    const first = await handler(search(), lambdaContext(29_000, clock.now));
    expect(first.statusCode).toBe(429);

    clock.advance(35_000);
    const second = await handler(search(), lambdaContext(29_000, clock.now));

    expect(second.statusCode).toBe(200);
    const [limited, next] = searches();
    expect((next?.receivedAt ?? 0) - (limited?.receivedAt ?? 0)).toBeGreaterThanOrEqual(40_000);
  });
});

describe("5xx, network faults and timeouts", () => {
  it("two 503 then 200 → 200 after 3 requests", async () => {
    const handler = await warmHandler();
    stack?.emulator.fault("search", { kind: "status", status: 503 }, 2);

    const result = await handler(search(), lambdaContext());

    expect(result.statusCode).toBe(200);
    expect(searches().map((r) => r.status)).toEqual([503, 503, 200]);
  });

  it("always 500 → 502 after a bounded number of attempts", async () => {
    const handler = await warmHandler();
    stack?.emulator.fault("search", { kind: "status", status: 500 }, -1);

    const result = await handler(search(), lambdaContext());

    expect(result.statusCode).toBe(502);
    expect(errorOf(result).message).toMatch(/500.*3 attempts/);
    expect(searches()).toHaveLength(3);
  });

  it("backs off with full jitter between attempts", async () => {
    const clock = new FakeClock();
    stack = await startTestStack({ emulator: { now: clock.now } });
    const { handler } = handlerWithClock(stack, clock, () => 0.5);
    stack.emulator.fault("search", { kind: "status", status: 502 }, 2);

    const result = await handler(search(), lambdaContext(29_000, clock.now));

    expect(result.statusCode).toBe(200);
    expect(clock.sleeps).toEqual([100, 200]);
  });

  it("a reset connection is retried → 200", async () => {
    const handler = await warmHandler();
    stack?.emulator.fault("search", { kind: "reset" });

    const result = await handler(search(), lambdaContext());

    expect(result.statusCode).toBe(200);
    expect(searches()).toHaveLength(2);
  });

  it("a hanging upstream → an answer before the deadline", async () => {
    const handler = await warmHandler({ UPSTREAM_TIMEOUT_MS: "5000" });
    stack?.emulator.fault("search", { kind: "hang" }, -1);

    const started = Date.now();
    const result = await handler(search(), lambdaContext(2_000));
    const elapsed = Date.now() - started;

    expect(result.statusCode).toBe(504);
    expect(elapsed).toBeLessThan(2_000);
  });

  it("a hanging attempt times out and the next attempt succeeds", async () => {
    const handler = await warmHandler({ UPSTREAM_TIMEOUT_MS: "300" });
    stack?.emulator.fault("search", { kind: "hang" });

    const result = await handler(search(), lambdaContext());

    expect(result.statusCode).toBe(200);
    expect(searches()).toHaveLength(2);
  });

  it("a 200 whose body is not JSON → 502", async () => {
    const handler = await warmHandler();
    stack?.emulator.fault("search", { kind: "malformed-json" });

    const result = await handler(search(), lambdaContext());

    expect(result.statusCode).toBe(502);
    expect(errorOf(result).message).toMatch(/not JSON/);
  });

  it("5xx from the token endpoint is retried like search", async () => {
    stack = await startTestStack();
    const handler = await coldSearchHandler(stack.env);
    stack.emulator.fault("token", { kind: "status", status: 503 });

    const result = await handler(search(), lambdaContext());

    expect(result.statusCode).toBe(200);
    expect(
      stack.emulator.requests.filter((r) => r.endpoint === "token").map((r) => r.status),
    ).toEqual([503, 200]);
  });
});

describe("other answers pass through, never retried", () => {
  it("403 (the app owner's Premium lapsed) keeps Spotify's message", async () => {
    const handler = await warmHandler();
    stack?.emulator.fault("search", { kind: "status", status: 403 });

    const result = await handler(search(), lambdaContext());

    expect(result.statusCode).toBe(403);
    expect(errorOf(result).message).toMatch(/premium/i);
    expect(searches()).toHaveLength(1);
  });

  it("400 from Spotify keeps its status and message", async () => {
    const handler = await warmHandler();
    stack?.emulator.fault("search", {
      kind: "status",
      status: 400,
      body: { error: { status: 400, message: "Unlaunched market" } },
    });

    const result = await handler(search(), lambdaContext());

    expect(result.statusCode).toBe(400);
    expect(errorOf(result)).toEqual({ status: 400, message: "Unlaunched market" });
    expect(searches()).toHaveLength(1);
  });
});
