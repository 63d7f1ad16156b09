import type { CollectionSummary } from "./batch/collect.ts";

/**
 * Typed errors. Each carries the HTTP status the caller sees; `errorResponse` in
 * `lib/http/api-response.ts` is the single place that turns them into answers.
 */
export abstract class ServiceError extends Error {
  abstract readonly status: number;
  /** Seconds the caller should wait before trying again (429/503). */
  retryAfterSeconds?: number;
  /** Spotify's machine-readable reason (e.g. QUOTA_EXCEEDED), passed on to the caller. */
  reason?: string;
}

/** A request parameter or event field is invalid (400). */
export class ValidationError extends ServiceError {
  readonly status = 400;
  override name = "ValidationError";
}

/** The route exists but not for this method (405). */
export class MethodNotAllowedError extends ServiceError {
  readonly status = 405;
  override name = "MethodNotAllowedError";
  constructor(
    readonly method: string,
    readonly allowed: readonly string[],
  ) {
    super(`Method ${method} not allowed; use ${allowed.join(", ")}`);
  }
}

/** No such route (404). */
export class NotFoundError extends ServiceError {
  readonly status = 404;
  override name = "NotFoundError";
}

/** The function's own configuration (environment, secret, SSM value) is missing or malformed (500). */
export class ConfigurationError extends ServiceError {
  readonly status = 500;
  override name = "ConfigurationError";
}

/** Spotify answered with an error we pass on, or could not be reached in time. */
export class UpstreamError extends ServiceError {
  override name = "UpstreamError";
  constructor(
    readonly status: number,
    message: string,
    options?: { cause?: unknown; retryAfterSeconds?: number; reason?: string },
  ) {
    super(message, { cause: options?.cause });
    this.retryAfterSeconds = options?.retryAfterSeconds;
    this.reason = options?.reason;
  }
}

/**
 * Invocation fails (so Lambda retries and the Errors alarm fires) when the batch cannot be read,
 * the results cannot be stored, or not one search succeeded. A run where only some
 * searches failed or were skipped succeeds and reports them in its summary and metrics.
 */
export class CollectionFailedError extends ServiceError {
  readonly status = 502;
  override name = "CollectionFailedError";
  constructor(
    message: string,
    readonly summary: CollectionSummary,
  ) {
    super(message);
  }
}
