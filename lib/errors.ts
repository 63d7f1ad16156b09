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

/**
 * Our own side failed before Spotify could answer a search: Spotify rejected the credentials in
 * the secret, or the secret could not be read. Never a passing fault of Spotify's.
 */
export type OwnFailure = "credentials-rejected" | "secret-unreadable";

export interface UpstreamErrorOptions {
  cause?: unknown;
  retryAfterSeconds?: number;
  reason?: string;
  /** The status Spotify last sent, when it sent one (none for a timeout or a reset). */
  upstreamStatus?: number;
  ownFailure?: OwnFailure;
}

/** Spotify answered with an error we pass on, or could not be reached in time. */
export class UpstreamError extends ServiceError {
  override name = "UpstreamError";
  readonly upstreamStatus?: number;
  readonly ownFailure?: OwnFailure;
  constructor(
    readonly status: number,
    message: string,
    options: UpstreamErrorOptions = {},
  ) {
    super(message, { cause: options.cause });
    this.retryAfterSeconds = options.retryAfterSeconds;
    this.reason = options.reason;
    this.upstreamStatus = options.upstreamStatus;
    this.ownFailure = options.ownFailure;
  }
}

/** A rate-limit window (this container's or the fleet's) answered without calling Spotify. */
export class CooldownError extends UpstreamError {
  override name = "CooldownError";
}
