import { apiError, jsonReply, oauthError, TOKEN_CONTENT_TYPE } from "./replies.ts";
import type {
  Action,
  Fault,
  FaultEndpoint,
  PendingFault,
  Quota,
  RateLimit,
  Reply,
} from "./types.ts";

/** FIFO of scripted faults per endpoint. */
export class FaultQueue {
  readonly #queues: Record<FaultEndpoint, PendingFault[]> = { token: [], search: [] };

  add(endpoint: FaultEndpoint, fault: Fault, times = 1): void {
    const remaining = times === -1 ? Number.POSITIVE_INFINITY : times;
    if (!(remaining >= 1) || (Number.isFinite(remaining) && !Number.isInteger(remaining))) {
      throw new RangeError("times must be a positive integer, Infinity or -1");
    }
    this.#queues[endpoint].push({ fault, remaining });
  }

  /** The fault for the next request, consuming one use of it. */
  take(endpoint: FaultEndpoint): Fault | undefined {
    const queue = this.#queues[endpoint];
    const head = queue[0];
    if (head === undefined) return undefined;
    head.remaining -= 1;
    if (head.remaining <= 0) queue.shift();
    return head.fault;
  }

  pending(endpoint: FaultEndpoint): readonly PendingFault[] {
    return this.#queues[endpoint].map((entry) => ({ ...entry }));
  }

  clear(endpoint?: FaultEndpoint): void {
    if (endpoint === undefined || endpoint === "token") this.#queues.token = [];
    if (endpoint === undefined || endpoint === "search") this.#queues.search = [];
  }
}

/** Rolling window of admitted requests for one app. */
export class RateWindow {
  readonly #limit: RateLimit;
  readonly #stamps: number[] = [];

  constructor(limit: RateLimit) {
    this.#limit = limit;
  }

  /** Admit the request (null) or answer the seconds to wait before the window has room. */
  admit(now: number): number | null {
    const { windowMs, maxRequests, countRejected } = this.#limit;
    while (this.#stamps.length > 0 && (this.#stamps[0] ?? 0) <= now - windowMs) {
      this.#stamps.shift();
    }
    if (this.#stamps.length < maxRequests) {
      this.#stamps.push(now);
      return null;
    }
    // The stamp whose leaving makes room (the oldest, unless refused requests were counted too).
    const freeing = this.#stamps[this.#stamps.length - maxRequests] ?? now;
    if (countRejected) this.#stamps.push(now);
    return Math.max(1, Math.ceil((freeing + windowMs - now) / 1000));
  }
}

/** The daily quota scaled down: trips after `maxRequests` admitted searches, for a fixed time. */
export class QuotaCounter {
  readonly #quota: Quota;
  #used = 0;
  #exceededUntil = 0;

  constructor(quota: Quota) {
    this.#quota = quota;
  }

  /** Null when the request may go on (and is counted), else the seconds until the quota resets. */
  check(now: number): number | null {
    if (now < this.#exceededUntil)
      return Math.max(1, Math.ceil((this.#exceededUntil - now) / 1000));
    if (this.#exceededUntil > 0) {
      if (this.#quota.once) return null;
      this.#exceededUntil = 0;
      this.#used = 0;
    }
    if (this.#used < this.#quota.maxRequests) {
      this.#used += 1;
      return null;
    }
    this.#exceededUntil = now + this.#quota.retryAfterSeconds * 1000;
    return this.#quota.retryAfterSeconds;
  }
}

export function quotaReply(retryAfterSeconds: number): Reply {
  const body = { error: { status: 429, message: "Too many requests", reason: "QUOTA_EXCEEDED" } };
  return jsonReply(429, body, { "Retry-After": String(retryAfterSeconds) });
}

export function rateLimitReply(
  retryAfter: string | null,
  emptyBody = false,
  lowerCase = false,
): Reply {
  const headers: Record<string, string> = {};
  if (retryAfter !== null) headers[lowerCase ? "retry-after" : "Retry-After"] = retryAfter;
  if (emptyBody) return { status: 429, headers, body: "" };
  return apiError(429, "API rate limit exceeded", headers);
}

const API_MESSAGES: Record<number, string> = {
  400: "Bad request",
  401: "Missing/invalid/expired access token",
  403: "Active premium subscription required for the owner of the app.",
  404: "Service not found",
  429: "API rate limit exceeded",
  500: "Server error.",
  502: "Bad gateway.",
  503: "Service unavailable",
  504: "Gateway timeout",
};

const OAUTH_ERRORS: Record<number, [string, string]> = {
  400: ["invalid_request", "Bad request"],
  401: ["invalid_client", "Invalid client"],
  403: ["access_denied", "Access denied"],
  429: ["too_many_requests", "Too many requests"],
  503: ["temporarily_unavailable", "Service unavailable"],
};

function statusReply(endpoint: FaultEndpoint, fault: Extract<Fault, { kind: "status" }>): Reply {
  const extra = fault.headers ?? {};
  if (typeof fault.body === "string") {
    return {
      status: fault.status,
      headers: { "Content-Type": "text/plain", ...extra },
      body: fault.body,
    };
  }
  if (fault.body !== undefined) {
    return jsonReply(fault.status, fault.body, extra);
  }
  if (endpoint === "token") {
    const [error, description] =
      OAUTH_ERRORS[fault.status] ??
      (fault.status >= 500 ? ["server_error", "Server error"] : ["invalid_request", "Error"]);
    const reply = oauthError(fault.status, error, description);
    return { ...reply, headers: { ...reply.headers, ...extra } };
  }
  const message = API_MESSAGES[fault.status] ?? (fault.status >= 500 ? "Server error." : "Error");
  return apiError(fault.status, message, extra);
}

const MALFORMED: Record<FaultEndpoint, string> = {
  token: '{"access_token":"BQ',
  search: '{"tracks":{"href":"https://api.spotify.com/v1/search?query=',
};

/** Turn a scripted fault into what the server must do. */
export function faultAction(endpoint: FaultEndpoint, fault: Fault): Action {
  switch (fault.kind) {
    case "status":
      return { type: "reply", reply: statusReply(endpoint, fault) };
    case "rate-limit":
      return {
        type: "reply",
        reply: rateLimitReply(
          fault.retryAfter === undefined ? "1" : fault.retryAfter,
          fault.emptyBody,
          fault.lowerCaseHeader,
        ),
      };
    case "quota":
      return { type: "reply", reply: quotaReply(fault.retryAfter ?? 86400) };
    case "unauthorized":
      return { type: "unauthorized" };
    case "reset":
      return { type: "reset" };
    case "hang":
      return { type: "hang" };
    case "malformed-json": {
      const contentType =
        endpoint === "token" ? TOKEN_CONTENT_TYPE : "application/json; charset=utf-8";
      return {
        type: "reply",
        reply: { status: 200, headers: { "Content-Type": contentType }, body: MALFORMED[endpoint] },
      };
    }
    case "delay":
      return { type: "delay", ms: fault.ms };
  }
}
