import type { RetrySettings } from "../config.ts";
import type { Deadline } from "../deadline.ts";
import { CooldownError, UpstreamError } from "../errors.ts";
import { isRecord } from "../records.ts";
import type { AttemptResult } from "./http-transport.ts";
import { parseRetryAfterMs } from "./retry-after.ts";

/**
 * The status-code rules, in one place. The README's table mirrors this file line for line:
 *
 * | upstream answer                        | decision                                              |
 * | 2xx with a JSON body                   | deliver                                               |
 * | 2xx with a body that is not JSON       | fail 502                                              |
 * | 429 QUOTA_EXCEEDED                     | fail 429 at once; cooldown for Retry-After            |
 * | 429                                    | cooldown for Retry-After (default 5 s); retry if it   |
 * |                                        | fits the cap and the deadline, else fail 429          |
 * | (any 429)                              | a cooldown never exceeds 24 h (logged when cut)       |
 * | 401 (request carries a token)          | refresh the token, retry once; a second 401 → 502     |
 * | 500, 502, 503, 504, network fault      | backoff with full jitter, bounded attempts, then 502  |
 * | attempt timeout                        | as 5xx, then 504                                      |
 * | other 5xx, 1xx, 3xx                    | fail 502 at once                                      |
 * | other 4xx (400, 403, 404 …)            | deliver, for the caller to pass through, never retry  |
 * | body over UPSTREAM_MAX_BODY_BYTES      | fail 502 at once (the rest is never read)             |
 */

/** What one attempt came to (see `http-transport.ts`). */
export type Outcome = AttemptResult;

export type RetryReason = "rate-limited" | "unauthorized" | "server-error" | "network" | "timeout";

export type Decision =
  | { action: "deliver"; status: number; body: unknown }
  | { action: "retry"; reason: RetryReason; delayMs: number }
  | { action: "fail"; error: UpstreamError };

/** Extends the container-wide cooldown; returned beside a decision when Spotify asked for one. */
export interface CooldownRequest {
  ms: number;
  reason?: string;
  /** What Spotify asked for, when it was more than MAX_COOLDOWN_MS and cut to it. */
  clampedFromMs?: number;
}

export interface AttemptHistory {
  /** 5xx, network faults and timeouts so far. */
  faults: number;
  rateLimited: number;
  unauthorized: number;
  /** Whether a 401 may be answered by refreshing the token. */
  canRefreshToken: boolean;
}

/** Server errors worth another attempt; any other 5xx will not improve by asking again. */
export const RETRIED_STATUSES: ReadonlySet<number> = new Set([500, 502, 503, 504]);
/** An attempt shorter than this is not worth starting. */
export const MIN_ATTEMPT_MS = 250;
/** Hard bound on 429 retries inside one call, beside the deadline. */
export const MAX_RATE_LIMIT_RETRIES = 10;
/** Longest backoff step for 5xx and network faults. */
export const MAX_BACKOFF_MS = 2_000;
/** A daily-quota 429 without Retry-After still keeps the container off Spotify this long. */
export const QUOTA_DEFAULT_COOLDOWN_MS = 3_600_000;
export const QUOTA_EXCEEDED = "QUOTA_EXCEEDED";
/**
 * Longest cooldown honoured: 24 h, Spotify's largest observed Retry-After (its daily quota). A
 * longer one (a bug, a proxy's mistake) would keep the container off Spotify until it is recycled.
 */
export const MAX_COOLDOWN_MS = 86_400_000;

export interface PolicyInput {
  outcome: Outcome;
  history: AttemptHistory;
  settings: RetrySettings;
  deadline: Deadline;
  now: number;
  random: () => number;
}

export function decide(input: PolicyInput): { decision: Decision; cooldown?: CooldownRequest } {
  const { outcome, history, settings, deadline } = input;
  if (outcome.kind === "timeout") {
    return { decision: backoff("timeout", history, input, 504, "Spotify did not answer in time") };
  }
  if (outcome.kind === "network") {
    return { decision: backoff("network", history, input, 502, "Could not reach Spotify") };
  }
  if (outcome.kind === "too-large") {
    const error = new UpstreamError(
      502,
      `Spotify's answer is larger than ${outcome.limitBytes} bytes (UPSTREAM_MAX_BODY_BYTES)`,
      { upstreamStatus: outcome.status },
    );
    return { decision: { action: "fail", error } };
  }
  const { status, headers, text } = outcome;
  const body = parseJson(text);

  if (status >= 200 && status < 300) {
    if (body === undefined) {
      return {
        decision: {
          action: "fail",
          error: new UpstreamError(502, "Spotify answered with a body that is not JSON", {
            upstreamStatus: status,
          }),
        },
      };
    }
    return { decision: { action: "deliver", status, body } };
  }

  if (status === 429) {
    const reason = errorField(body, "reason");
    const askedMs = parseRetryAfterMs(headers.get("retry-after"), input.now);
    const clamp =
      askedMs !== undefined && askedMs > MAX_COOLDOWN_MS ? { clampedFromMs: askedMs } : {};
    const headerMs = askedMs === undefined ? undefined : Math.min(askedMs, MAX_COOLDOWN_MS);
    if (reason === QUOTA_EXCEEDED) {
      const ms = headerMs ?? QUOTA_DEFAULT_COOLDOWN_MS;
      return {
        decision: { action: "fail", error: rateLimitError(body, ms, reason) },
        cooldown: { ms, reason, ...clamp },
      };
    }
    const ms = headerMs ?? settings.defaultRetryAfterMs;
    const waitFits =
      history.rateLimited < MAX_RATE_LIMIT_RETRIES &&
      ms <= settings.maxRetryAfterMs &&
      deadline.allows(ms, MIN_ATTEMPT_MS);
    return {
      decision: waitFits
        ? { action: "retry", reason: "rate-limited", delayMs: ms }
        : { action: "fail", error: rateLimitError(body, ms) },
      cooldown: { ms, ...clamp },
    };
  }

  if (status === 401 && history.canRefreshToken) {
    if (history.unauthorized === 0) {
      return { decision: { action: "retry", reason: "unauthorized", delayMs: 0 } };
    }
    return {
      decision: {
        action: "fail",
        error: new UpstreamError(502, "Spotify rejected a freshly issued access token", {
          upstreamStatus: status,
        }),
      },
    };
  }

  if (RETRIED_STATUSES.has(status)) {
    return { decision: backoff("server-error", history, input, 502, `Spotify answered ${status}`) };
  }
  if (status >= 400 && status < 500) return { decision: { action: "deliver", status, body } };
  return {
    decision: {
      action: "fail",
      error: new UpstreamError(502, `Spotify answered an unexpected ${status}`, {
        upstreamStatus: status,
      }),
    },
  };
}

/**
 * What a request does while the container cools down after a 429: wait it out when that fits the
 * cap and the deadline, otherwise answer 429 at once with the time left. A daily quota never waits.
 */
export function decideCooldown(
  remainingMs: number,
  reason: string | undefined,
  settings: RetrySettings,
  deadline: Deadline,
):
  | { action: "proceed" }
  | { action: "wait"; ms: number }
  | { action: "fail"; error: UpstreamError } {
  if (remainingMs <= 0) return { action: "proceed" };
  if (
    reason !== QUOTA_EXCEEDED &&
    remainingMs <= settings.maxRetryAfterMs &&
    deadline.allows(remainingMs, MIN_ATTEMPT_MS)
  ) {
    return { action: "wait", ms: remainingMs };
  }
  const message = "Spotify rate limit exceeded";
  return {
    action: "fail",
    error: new CooldownError(429, message, {
      retryAfterSeconds: Math.ceil(remainingMs / 1000),
      reason,
    }),
  };
}

/** The error a caller sees for a Spotify answer that is passed through (other 4xx). */
export function passThroughError(status: number, body: unknown): UpstreamError {
  const message = errorField(body, "message") ?? errorField(body, "error_description");
  return new UpstreamError(status, message ?? `Spotify answered ${status}`);
}

function backoff(
  reason: RetryReason,
  history: AttemptHistory,
  input: PolicyInput,
  finalStatus: number,
  finalMessage: string,
): Decision {
  const attempts = history.faults + 1;
  const step = Math.min(MAX_BACKOFF_MS, input.settings.baseDelayMs * 2 ** history.faults);
  const delayMs = Math.floor(input.random() * step);
  if (attempts < input.settings.maxAttempts && input.deadline.allows(delayMs, MIN_ATTEMPT_MS)) {
    return { action: "retry", reason, delayMs };
  }
  const suffix = attempts === 1 ? "" : ` after ${attempts} attempts`;
  const { outcome } = input;
  const upstreamStatus = outcome.kind === "response" ? outcome.status : undefined;
  return {
    action: "fail",
    error: new UpstreamError(finalStatus, `${finalMessage}${suffix}`, { upstreamStatus }),
  };
}

/** Spotify's own 429, passed on with the time it asked for. */
function rateLimitError(body: unknown, ms: number, reason?: string): UpstreamError {
  const message = errorField(body, "message") ?? "Spotify rate limit exceeded";
  return new UpstreamError(429, message, {
    retryAfterSeconds: Math.ceil(ms / 1000),
    reason,
    upstreamStatus: 429,
  });
}

function parseJson(text: string): unknown {
  if (text.length === 0) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Reads `error.<field>` of the Web API shape, or a flat OAuth `<field>`. */
function errorField(body: unknown, field: string): string | undefined {
  if (!isRecord(body)) return undefined;
  const source = isRecord(body.error) ? body.error : body;
  const value = source[field];
  return typeof value === "string" && value.length > 0 ? value : undefined;
}
