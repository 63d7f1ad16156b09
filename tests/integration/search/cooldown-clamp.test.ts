import { afterEach, describe, expect, it } from "vitest";
import { lambdaContext } from "../../../infra/local/lambda-context.ts";
import { Deadline } from "../../../lib/deadline.ts";
import type { Log } from "../../../lib/observability/types.ts";
import { decide, MAX_COOLDOWN_MS, type Outcome } from "../../../lib/spotify/policy.ts";
import { httpApiEvent } from "../../support/events.ts";
import { FakeClock } from "../../support/fake-clock.ts";
import { handlerWithClock } from "../../support/runtime.ts";
import { startTestStack, type TestStack } from "../../support/stack.ts";

const YEAR_SECONDS = 365 * 86_400;
let stack: TestStack | undefined;
afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

/** A log that keeps its lines, so a test can read what was logged. */
function recordingLog() {
  const lines: { level: string; message: string; extra: Record<string, unknown> }[] = [];
  const at =
    (level: string) =>
    (message: string, ...extra: Record<string, unknown>[]) =>
      lines.push({ level, message, extra: Object.assign({}, ...extra) });
  const log: Log = { debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") };
  return { log, lines };
}

async function handlerOnEmulator(clock: FakeClock, log: Log) {
  stack = await startTestStack({ emulator: { now: clock.now } });
  return handlerWithClock(stack, clock, Math.random, { log }).handler;
}

const search = () => httpApiEvent("q=Aphex%20Twin&type=track");

function rateLimited(retryAfter: string, reason?: string): Outcome {
  const body = { error: { status: 429, message: "Too many requests", reason } };
  return {
    kind: "response",
    status: 429,
    headers: new Headers({ "retry-after": retryAfter }),
    text: JSON.stringify(body),
  };
}

describe("the cooldown is clamped to 24 h (Spotify's largest observed Retry-After)", () => {
  const clock = new FakeClock();
  const input = (outcome: Outcome) => ({
    outcome,
    history: { faults: 0, rateLimited: 0, unauthorized: 0, canRefreshToken: true },
    settings: {
      maxAttempts: 3,
      baseDelayMs: 200,
      maxRetryAfterMs: 10_000,
      defaultRetryAfterMs: 5_000,
      attemptTimeoutMs: 5_000,
      deadlineMarginMs: 500,
    },
    deadline: new Deadline(clock.now() + 20_000, clock),
    now: clock.now(),
    random: () => 0.5,
  });

  it.each([
    ["a daily quota", "QUOTA_EXCEEDED"],
    ["a plain rate limit", undefined],
  ])(
    "decide(): %s with a Retry-After of a year → a 24 h cooldown, saying what was asked",
    (_n, reason) => {
      const { decision, cooldown } = decide(input(rateLimited(String(YEAR_SECONDS), reason)));

      expect(cooldown).toEqual({ ms: MAX_COOLDOWN_MS, reason, clampedFromMs: YEAR_SECONDS * 1000 });
      expect(decision).toMatchObject({
        action: "fail",
        error: { status: 429, retryAfterSeconds: 86_400 },
      });
    },
  );

  it("decide(): a Retry-After of exactly 24 h is kept as it is, with nothing to report", () => {
    const { cooldown } = decide(input(rateLimited("86400", "QUOTA_EXCEEDED")));

    expect(cooldown).toEqual({ ms: 86_400_000, reason: "QUOTA_EXCEEDED" });
  });

  it("a year-long quota Retry-After: the caller is told 86400, the clamp is logged, and Spotify is called again after 24 h", async () => {
    const clock = new FakeClock();
    const { log, lines } = recordingLog();
    const handler = await handlerOnEmulator(clock, log);
    stack?.emulator.fault("search", { kind: "quota", retryAfter: YEAR_SECONDS });

    const first = await handler(search(), lambdaContext(29_000, clock.now));
    clock.advance(86_400_000 - 1_000);
    const during = await handler(search(), lambdaContext(29_000, clock.now));
    clock.advance(1_000);
    const after = await handler(search(), lambdaContext(29_000, clock.now));

    expect(first.statusCode).toBe(429);
    expect(first.headers["retry-after"]).toBe("86400");
    expect(during.statusCode).toBe(429);
    expect(after.statusCode).toBe(200);
    expect(stack?.emulator.requests.filter((r) => r.endpoint === "search")).toHaveLength(2);
    const clamped = lines.filter((line) => line.message.includes("longest cooldown"));
    expect(clamped).toEqual([
      {
        level: "warn",
        message: expect.any(String),
        extra: { endpoint: "search", retryAfterSeconds: YEAR_SECONDS, cooldownSeconds: 86_400 },
      },
    ]);
  });
});
