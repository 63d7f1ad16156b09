import fc from "fast-check";
import { beforeEach, describe, expect, it } from "vitest";
import type { Clock } from "../../../lib/clock.ts";
import type { RetrySettings } from "../../../lib/config.ts";
import { Deadline } from "../../../lib/deadline.ts";
import type { UpstreamError } from "../../../lib/errors.ts";
import {
  type AttemptHistory,
  type Decision,
  decide,
  decideCooldown,
  MAX_BACKOFF_MS,
  MAX_RATE_LIMIT_RETRIES,
  MIN_ATTEMPT_MS,
  type Outcome,
  passThroughError,
  QUOTA_DEFAULT_COOLDOWN_MS,
} from "../../../lib/spotify/policy.ts";

const START = Date.parse("2026-11-26T13:00:00Z");
let t = START;
const clock: Clock = {
  now: () => t,
  sleep: async (ms) => {
    t += ms;
  },
};

const SETTINGS: RetrySettings = {
  maxAttempts: 3,
  baseDelayMs: 200,
  maxRetryAfterMs: 10_000,
  defaultRetryAfterMs: 5_000,
  attemptTimeoutMs: 5_000,
  deadlineMarginMs: 500,
};

const FRESH: AttemptHistory = { faults: 0, rateLimited: 0, unauthorized: 0, canRefreshToken: true };

beforeEach(() => {
  t = START;
});

function response(
  status: number,
  body: unknown = {},
  headers: Record<string, string> = {},
): Outcome {
  const text = typeof body === "string" ? body : JSON.stringify(body);
  return { kind: "response", status, headers: new Headers(headers), text };
}

function run(
  outcome: Outcome,
  options: {
    history?: Partial<AttemptHistory>;
    settings?: Partial<RetrySettings>;
    remainingMs?: number;
    random?: () => number;
  } = {},
) {
  return decide({
    outcome,
    history: { ...FRESH, ...options.history },
    settings: { ...SETTINGS, ...options.settings },
    deadline: new Deadline(t + (options.remainingMs ?? 25_000), clock),
    now: t,
    random: options.random ?? (() => 0.5),
  });
}

function failure(decision: Decision): UpstreamError {
  if (decision.action !== "fail") throw new Error(`expected fail, got ${JSON.stringify(decision)}`);
  return decision.error;
}

const RATE_LIMITED = { error: { status: 429, message: "API rate limit exceeded" } };
const QUOTA = { error: { status: 429, message: "Too many requests", reason: "QUOTA_EXCEEDED" } };

describe("decide: 2xx", () => {
  it.each([200, 201, 204, 299])("delivers %d with a JSON body", (status) => {
    const { decision, cooldown } = run(response(status, { artists: { items: [] } }));

    expect(decision).toEqual({ action: "deliver", status, body: { artists: { items: [] } } });
    expect(cooldown).toBeUndefined();
  });

  it("delivers a JSON null body", () => {
    expect(run(response(200, "null")).decision).toEqual({
      action: "deliver",
      status: 200,
      body: null,
    });
  });

  it.each(["", "<html>oops</html>", '{"tracks":{"href":"https://api.spotify.com/v1/search?query='])(
    "fails 502 for a body that is not JSON (%j)",
    (text) => {
      const error = failure(run(response(200, text)).decision);

      expect(error.status).toBe(502);
      expect(error.message).toBe("Spotify answered with a body that is not JSON");
    },
  );
});

describe("decide: 429 QUOTA_EXCEEDED", () => {
  it("fails 429 at once with Spotify's reason and the Retry-After, and asks for that cooldown", () => {
    const { decision, cooldown } = run(response(429, QUOTA, { "retry-after": "48925" }));

    const error = failure(decision);
    expect(error.status).toBe(429);
    expect(error.message).toBe("Too many requests");
    expect(error.reason).toBe("QUOTA_EXCEEDED");
    expect(error.retryAfterSeconds).toBe(48_925);
    expect(cooldown).toEqual({ ms: 48_925_000, reason: "QUOTA_EXCEEDED" });
  });

  it("never waits, even for a short Retry-After that would fit", () => {
    const { decision, cooldown } = run(response(429, QUOTA, { "retry-after": "1" }));

    expect(failure(decision).retryAfterSeconds).toBe(1);
    expect(cooldown).toEqual({ ms: 1_000, reason: "QUOTA_EXCEEDED" });
  });

  it("cools down for an hour when Retry-After is missing", () => {
    const { decision, cooldown } = run(response(429, QUOTA));

    expect(failure(decision).retryAfterSeconds).toBe(QUOTA_DEFAULT_COOLDOWN_MS / 1000);
    expect(cooldown).toEqual({ ms: QUOTA_DEFAULT_COOLDOWN_MS, reason: "QUOTA_EXCEEDED" });
  });

  it("recognises the reason in a flat body too", () => {
    const { decision } = run(response(429, { reason: "QUOTA_EXCEEDED" }, { "retry-after": "2" }));

    expect(failure(decision).reason).toBe("QUOTA_EXCEEDED");
  });
});

describe("decide: 429 rate limit", () => {
  it("retries after Retry-After when it fits the cap and the deadline, asking for that cooldown", () => {
    const { decision, cooldown } = run(response(429, RATE_LIMITED, { "Retry-After": "2" }));

    expect(decision).toEqual({ action: "retry", reason: "rate-limited", delayMs: 2_000 });
    expect(cooldown).toEqual({ ms: 2_000 });
  });

  it.each([
    ["missing", undefined],
    ["0", "0"],
    ["garbage", "soon"],
    ["negative", "-3"],
  ])("uses the default wait when Retry-After is %s", (_name, value) => {
    const headers: Record<string, string> = value === undefined ? {} : { "retry-after": value };

    const { decision, cooldown } = run(response(429, RATE_LIMITED, headers));

    expect(decision).toEqual({ action: "retry", reason: "rate-limited", delayMs: 5_000 });
    expect(cooldown).toEqual({ ms: 5_000 });
  });

  it("reads an HTTP-date Retry-After against `now`", () => {
    const date = new Date(t + 3_000).toUTCString();

    const { decision } = run(response(429, RATE_LIMITED, { "retry-after": date }));

    expect(decision).toEqual({ action: "retry", reason: "rate-limited", delayMs: 3_000 });
  });

  it("retries with a wait exactly at the cap", () => {
    const { decision } = run(response(429, RATE_LIMITED, { "retry-after": "10" }));

    expect(decision).toMatchObject({ action: "retry", delayMs: 10_000 });
  });

  it("refuses a wait beyond the cap: fails 429 with Retry-After, and still asks for the cooldown", () => {
    const { decision, cooldown } = run(response(429, RATE_LIMITED, { "retry-after": "11" }));

    const error = failure(decision);
    expect(error.status).toBe(429);
    expect(error.message).toBe("API rate limit exceeded");
    expect(error.retryAfterSeconds).toBe(11);
    expect(error.reason).toBeUndefined();
    expect(cooldown).toEqual({ ms: 11_000 });
  });

  it("rounds a fractional wait up to whole seconds for the caller", () => {
    const { decision } = run(response(429, RATE_LIMITED, { "retry-after": "10.2" }));

    expect(failure(decision).retryAfterSeconds).toBe(11);
  });

  it("refuses a default wait beyond a zero cap", () => {
    const { decision } = run(response(429, RATE_LIMITED), { settings: { maxRetryAfterMs: 0 } });

    expect(failure(decision).retryAfterSeconds).toBe(5);
  });

  it("retries when the wait leaves exactly the minimum attempt time before the deadline", () => {
    const { decision } = run(response(429, RATE_LIMITED, { "retry-after": "2" }), {
      remainingMs: 2_000 + MIN_ATTEMPT_MS,
    });

    expect(decision.action).toBe("retry");
  });

  it("refuses a wait that would leave less than the minimum attempt time before the deadline", () => {
    const { decision } = run(response(429, RATE_LIMITED, { "retry-after": "2" }), {
      remainingMs: 2_000 + MIN_ATTEMPT_MS - 1,
    });

    expect(failure(decision)).toMatchObject({ status: 429, retryAfterSeconds: 2 });
  });

  it("refuses a wait once the deadline has passed", () => {
    const { decision } = run(response(429, RATE_LIMITED, { "retry-after": "1" }), {
      remainingMs: -5_000,
    });

    expect(decision.action).toBe("fail");
  });

  it(`stops after ${MAX_RATE_LIMIT_RETRIES} rate-limit retries in one call`, () => {
    const outcome = response(429, RATE_LIMITED, { "retry-after": "1" });

    expect(
      run(outcome, { history: { rateLimited: MAX_RATE_LIMIT_RETRIES - 1 } }).decision.action,
    ).toBe("retry");
    expect(run(outcome, { history: { rateLimited: MAX_RATE_LIMIT_RETRIES } }).decision.action).toBe(
      "fail",
    );
  });

  it("falls back to a generic message for an empty 429 body", () => {
    const { decision } = run(response(429, "", { "retry-after": "60" }));

    expect(failure(decision).message).toBe("Spotify rate limit exceeded");
  });
});

describe("decide: 401", () => {
  it("retries at once after the first 401 when the token can be refreshed", () => {
    const { decision, cooldown } = run(response(401, { error: { status: 401, message: "x" } }));

    expect(decision).toEqual({ action: "retry", reason: "unauthorized", delayMs: 0 });
    expect(cooldown).toBeUndefined();
  });

  it("fails 502 on a second 401", () => {
    const { decision } = run(response(401), { history: { unauthorized: 1 } });

    expect(failure(decision)).toMatchObject({
      status: 502,
      message: "Spotify rejected a freshly issued access token",
    });
  });

  it("delivers a 401 when no token refresh is possible", () => {
    const body = { error: "invalid_client", error_description: "Invalid client" };

    const { decision } = run(response(401, body), { history: { canRefreshToken: false } });

    expect(decision).toEqual({ action: "deliver", status: 401, body });
  });
});

describe("decide: 5xx, network faults and timeouts", () => {
  const faults: [string, Outcome, number, string][] = [
    [
      "500",
      response(500, { error: { status: 500, message: "Server error." } }),
      502,
      "Spotify answered 500",
    ],
    ["503", response(503, "Service unavailable"), 502, "Spotify answered 503"],
    [
      "network",
      { kind: "network", error: new Error("ECONNRESET") },
      502,
      "Could not reach Spotify",
    ],
    ["timeout", { kind: "timeout" }, 504, "Spotify did not answer in time"],
  ];
  const reasons: Record<string, string> = {
    "500": "server-error",
    "503": "server-error",
    network: "network",
    timeout: "timeout",
  };

  it.each(faults)("%s: retries with a delay inside full jitter", (name, outcome) => {
    for (const faultsSoFar of [0, 1]) {
      const step = Math.min(MAX_BACKOFF_MS, SETTINGS.baseDelayMs * 2 ** faultsSoFar);
      const low = run(outcome, { history: { faults: faultsSoFar }, random: () => 0 });
      const high = run(outcome, { history: { faults: faultsSoFar }, random: () => 0.999_999 });

      expect(low.decision).toEqual({ action: "retry", reason: reasons[name], delayMs: 0 });
      expect(high.decision).toEqual({ action: "retry", reason: reasons[name], delayMs: step - 1 });
      expect(low.cooldown).toBeUndefined();
    }
  });

  it.each(faults)(
    "%s: fails with the final status after maxAttempts attempts",
    (_n, outcome, status, message) => {
      const { decision } = run(outcome, { history: { faults: SETTINGS.maxAttempts - 1 } });

      expect(failure(decision)).toMatchObject({
        status,
        message: `${message} after ${SETTINGS.maxAttempts} attempts`,
      });
    },
  );

  it.each(faults)(
    "%s: fails at once when only one attempt is allowed",
    (_n, outcome, status, message) => {
      const { decision } = run(outcome, { settings: { maxAttempts: 1 } });

      expect(failure(decision)).toMatchObject({ status, message });
    },
  );

  it.each(faults)(
    "%s: fails when the backoff would not leave time for an attempt",
    (_n, outcome, status) => {
      const { decision } = run(outcome, {
        random: () => 0.5,
        remainingMs: 100 + MIN_ATTEMPT_MS - 1,
      });

      expect(failure(decision).status).toBe(status);
    },
  );

  it("delays always fall in [0, min(2000, base·2^faults)) and attempts stay bounded", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 20 }),
        fc.integer({ min: 0, max: 10_000 }),
        fc.integer({ min: 1, max: 10 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (faultsSoFar, baseDelayMs, maxAttempts, r) => {
          const { decision } = run(response(502, "Bad gateway."), {
            history: { faults: faultsSoFar },
            settings: { baseDelayMs, maxAttempts },
            random: () => r,
            remainingMs: 60_000,
          });
          const step = Math.min(MAX_BACKOFF_MS, baseDelayMs * 2 ** faultsSoFar);
          if (faultsSoFar + 1 >= maxAttempts) {
            expect(decision.action).toBe("fail");
            return;
          }
          expect(decision.action).toBe("retry");
          if (decision.action !== "retry") return;
          expect(decision.delayMs).toBeGreaterThanOrEqual(0);
          expect(decision.delayMs).toBeLessThanOrEqual(Math.max(0, step - 1));
          expect(Number.isInteger(decision.delayMs)).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("never backs off longer than MAX_BACKOFF_MS", () => {
    const { decision } = run(response(500), {
      history: { faults: 8 },
      settings: { maxAttempts: 10, baseDelayMs: 10_000 },
      random: () => 0.999_999,
    });

    expect(decision).toMatchObject({ action: "retry", delayMs: MAX_BACKOFF_MS - 1 });
  });
});

describe("decide: other 4xx", () => {
  it.each([
    [400, { error: { status: 400, message: "Invalid limit" } }],
    [403, { error: { status: 403, message: "Active premium subscription required" } }],
    [404, { error: { status: 404, message: "Service not found" } }],
    [413, "Request entity too large"],
  ])("delivers %d untouched and never retries", (status, body) => {
    const { decision, cooldown } = run(response(status, body));

    expect(decision).toEqual({
      action: "deliver",
      status,
      body: typeof body === "string" ? undefined : body,
    });
    expect(cooldown).toBeUndefined();
  });
});

describe("passThroughError", () => {
  it("keeps Spotify's status and message", () => {
    expect(passThroughError(404, { error: { status: 404, message: "Not found." } })).toMatchObject({
      status: 404,
      message: "Not found.",
    });
  });

  it("reads a flat OAuth error_description", () => {
    const body = { error: "invalid_client", error_description: "Invalid client" };

    expect(passThroughError(400, body).message).toBe("Invalid client");
  });

  it.each([undefined, null, "text", { error: { message: "" } }, { error: { message: 5 } }])(
    "falls back to a generic message for %j",
    (body) => {
      expect(passThroughError(403, body).message).toBe("Spotify answered 403");
    },
  );
});

describe("decideCooldown", () => {
  const deadline = (remainingMs: number) => new Deadline(t + remainingMs, clock);

  it.each([0, -1, -60_000])(
    "proceeds when nothing is left of the cooldown (%d ms)",
    (remaining) => {
      expect(decideCooldown(remaining, undefined, SETTINGS, deadline(25_000))).toEqual({
        action: "proceed",
      });
      expect(decideCooldown(remaining, "QUOTA_EXCEEDED", SETTINGS, deadline(25_000))).toEqual({
        action: "proceed",
      });
    },
  );

  it("waits out a cooldown that fits the cap and the deadline", () => {
    expect(decideCooldown(3_000, undefined, SETTINGS, deadline(25_000))).toEqual({
      action: "wait",
      ms: 3_000,
    });
    expect(decideCooldown(10_000, undefined, SETTINGS, deadline(10_000 + MIN_ATTEMPT_MS))).toEqual({
      action: "wait",
      ms: 10_000,
    });
  });

  it("fails 429 for a cooldown beyond the cap, with the time left rounded up", () => {
    const step = decideCooldown(10_001, undefined, SETTINGS, deadline(25_000));

    expect(step.action).toBe("fail");
    if (step.action !== "fail") return;
    expect(step.error).toMatchObject({ status: 429, retryAfterSeconds: 11 });
    expect(step.error.message).toBe("Spotify rate limit exceeded");
  });

  it("fails 429 for a cooldown that would not leave time for an attempt", () => {
    const step = decideCooldown(3_000, undefined, SETTINGS, deadline(3_000 + MIN_ATTEMPT_MS - 1));

    expect(step).toMatchObject({ action: "fail", error: { status: 429, retryAfterSeconds: 3 } });
  });

  it("never waits during a daily-quota cooldown, however short", () => {
    const step = decideCooldown(1, "QUOTA_EXCEEDED", SETTINGS, deadline(25_000));

    expect(step).toMatchObject({
      action: "fail",
      error: { status: 429, retryAfterSeconds: 1, reason: "QUOTA_EXCEEDED" },
    });
  });
});
