import { ConfigurationError } from "./errors.ts";

/** Settings shared by every function that talks to Spotify. */
export interface SpotifyConfig {
  secretId: string;
  accountsUrl: string;
  apiUrl: string;
  maxLimit: number;
  secretCacheTtlMs: number;
  tokenExpiryMarginMs: number;
  /** Largest answer body read from Spotify (search or token); a larger one is a 502. */
  maxBodyBytes: number;
  retry: RetrySettings;
}

export interface RetrySettings {
  /** Attempts for 5xx, resets and timeouts (the first try included). */
  maxAttempts: number;
  /** Base of the exponential backoff for 5xx and network faults. */
  baseDelayMs: number;
  /** Longest `Retry-After` the service waits out itself; longer ones go back to the caller. */
  maxRetryAfterMs: number;
  /** Wait used when a 429 carries no usable `Retry-After`. */
  defaultRetryAfterMs: number;
  /** Timeout of each single upstream attempt. */
  attemptTimeoutMs: number;
  /** Kept free before the Lambda deadline for answering. */
  deadlineMarginMs: number;
}

/** The search response cache: tier 1 in the container, tier 2 shared on DynamoDB. */
export interface CacheConfig {
  /** Seconds an answer is served without asking Spotify; 0 turns the cache off. */
  ttlMs: number;
  /** How long past its TTL an answer may still be served while Spotify cannot answer. */
  staleIfErrorMs: number;
  /** Tier 1's bound, in bytes of cached bodies. */
  memoryMaxBytes: number;
  /** Tier 2's DynamoDB table; undefined = tier 1 only. */
  tableName: string | undefined;
  /** Timeout of one tier-2 read: a slow table must not cost more than this. */
  readTimeoutMs: number;
  /** Timeout of one tier-2 write. */
  writeTimeoutMs: number;
  /** After a tier-2 failure, the container skips tier 2 this long. */
  failureBackoffMs: number;
  /** How a stored body is compressed in tier 2. */
  compression: Compression;
  /** When a miss is written to tier 2: every time, or on the fleet's second miss of a question. */
  writePolicy: WritePolicy;
}

export const COMPRESSIONS = ["zlib", "brotli"] as const;
export type Compression = (typeof COMPRESSIONS)[number];
export const WRITE_POLICIES = ["always", "second-miss"] as const;
export type WritePolicy = (typeof WRITE_POLICIES)[number];

/** The fleet's rate-limit record on the shared table, read by both functions. */
export interface FleetConfig {
  /** Timeout of one read of the record (a gate in front of a search). */
  readTimeoutMs: number;
  /** Timeout of one conditional write (announce, lease, settle). */
  writeTimeoutMs: number;
}

/** What only the search function's front door needs. */
export interface ApiConfig {
  /** Base of the paging links we answer with; undefined = built from each request's host. */
  publicBaseUrl: string | undefined;
}

export interface ScheduledConfig {
  queriesParameter: string;
  queriesCacheTtlMs: number;
  resultsBucket: string | undefined;
  resultsPrefix: string;
  concurrency: number;
  /** Longest `Retry-After` the batch waits out (it has minutes, the API has seconds). */
  maxRetryAfterMs: number;
  /** The batch's own pace, so it leaves room in the app's rate window for the API. */
  requestsPerSecond: number;
  /** Requests to Spotify (every search page attempt, retries included) one run may send. */
  maxRequests: number;
  /** The shared table holding the fleet's rate-limit record (the batch reads nothing else there). */
  cooldownTableName: string | undefined;
}

type Env = Readonly<Record<string, string | undefined>>;

/** Every variable the search path reads, with its default (undefined = required or optional without one). */
export const SPOTIFY_SETTINGS = {
  SPOTIFY_SECRET_ID: undefined,
  SPOTIFY_ACCOUNTS_URL: "https://accounts.spotify.com",
  SPOTIFY_API_URL: "https://api.spotify.com/v1",
  SPOTIFY_MAX_LIMIT: "10",
  SECRET_CACHE_TTL_SECONDS: "300",
  TOKEN_EXPIRY_MARGIN_SECONDS: "60",
  RETRY_MAX_ATTEMPTS: "3",
  RETRY_BASE_DELAY_MS: "200",
  RETRY_MAX_WAIT_SECONDS: "10",
  RETRY_DEFAULT_WAIT_SECONDS: "5",
  UPSTREAM_TIMEOUT_MS: "5000",
  DEADLINE_MARGIN_MS: "500",
  UPSTREAM_MAX_BODY_BYTES: "8388608",
} as const;

/** Variables of the search response cache (read by the search function). */
export const CACHE_SETTINGS = {
  CACHE_TABLE_NAME: undefined,
  CACHE_TTL_SECONDS: "600",
  CACHE_STALE_IF_ERROR_SECONDS: "86400",
  CACHE_MEMORY_MAX_BYTES: "67108864",
  CACHE_READ_TIMEOUT_MS: "60",
  CACHE_WRITE_TIMEOUT_MS: "250",
  CACHE_FAILURE_BACKOFF_SECONDS: "30",
  CACHE_COMPRESSION: "brotli",
  CACHE_WRITE_POLICY: "always",
} as const;

/** Variables of the fleet's rate-limit record (both functions share it). */
export const FLEET_SETTINGS = {
  COOLDOWN_READ_TIMEOUT_MS: "150",
  COOLDOWN_WRITE_TIMEOUT_MS: "250",
} as const;

/** Variables of the search function's answers. */
export const API_SETTINGS = {
  PUBLIC_BASE_URL: undefined,
} as const;

/** Variables only the scheduled collection reads. */
export const SCHEDULED_SETTINGS = {
  SCHEDULED_QUERIES_PARAMETER: undefined,
  QUERIES_CACHE_TTL_SECONDS: "300",
  RESULTS_BUCKET: undefined,
  RESULTS_PREFIX: "spotify-search",
  BATCH_CONCURRENCY: "4",
  BATCH_MAX_WAIT_SECONDS: "60",
  BATCH_REQUESTS_PER_SECOND: "5",
  BATCH_MAX_REQUESTS: "1000",
} as const;

/** Read by Powertools Logger and Metrics themselves. */
export const OBSERVABILITY_SETTINGS = {
  POWERTOOLS_SERVICE_NAME: "spotify-search",
  POWERTOOLS_LOG_LEVEL: "INFO",
  POWERTOOLS_METRICS_NAMESPACE: "SpotifySearch",
} as const;

/** Environment variable names each function reads (the template must set all of them). */
export const FUNCTION_ENVIRONMENT = {
  search: [
    ...Object.keys(SPOTIFY_SETTINGS),
    ...Object.keys(CACHE_SETTINGS),
    ...Object.keys(FLEET_SETTINGS),
    ...Object.keys(API_SETTINGS),
    ...Object.keys(OBSERVABILITY_SETTINGS),
  ],
  scheduled: [
    ...Object.keys(SPOTIFY_SETTINGS),
    "CACHE_TABLE_NAME",
    ...Object.keys(FLEET_SETTINGS),
    ...Object.keys(SCHEDULED_SETTINGS),
    ...Object.keys(OBSERVABILITY_SETTINGS),
  ],
} as const;

function text(env: Env, name: string, fallback: string | undefined): string | undefined {
  const value = env[name]?.trim();
  return value ? value : fallback;
}

function required(env: Env, name: string): string {
  const value = text(env, name, undefined);
  if (value === undefined) throw new ConfigurationError(`Environment variable ${name} is not set`);
  return value;
}

function integer(env: Env, name: string, fallback: string, min: number, max: number): number {
  const raw = text(env, name, fallback) ?? fallback;
  const value = /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new ConfigurationError(
      `Environment variable ${name} must be an integer from ${min} to ${max}`,
    );
  }
  return value;
}

function oneOf<T extends string>(env: Env, name: string, fallback: T, values: readonly T[]): T {
  const value = text(env, name, fallback) ?? fallback;
  if (!(values as readonly string[]).includes(value)) {
    throw new ConfigurationError(
      `Environment variable ${name} must be one of ${values.join(", ")}`,
    );
  }
  return value as T;
}

function url(env: Env, name: string, fallback: string): string {
  const raw = text(env, name, fallback) ?? fallback;
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw new ConfigurationError(`Environment variable ${name} must be an absolute http(s) URL`);
  }
  if (parsed.protocol !== "https:" && parsed.protocol !== "http:") {
    throw new ConfigurationError(`Environment variable ${name} must be an absolute http(s) URL`);
  }
  // Plain HTTP would carry the client secret and tokens in the clear: only to this machine.
  if (parsed.protocol === "http:" && !isLoopback(parsed.hostname)) {
    throw new ConfigurationError(
      `Environment variable ${name} must be an https URL (http only for a loopback host)`,
    );
  }
  return raw.replace(/\/+$/, "");
}

/** 127.0.0.0/8 (URL has already normalised forms such as 127.1), localhost and [::1]. */
function isLoopback(hostname: string): boolean {
  return hostname === "localhost" || hostname === "[::1]" || /^127\.\d+\.\d+\.\d+$/.test(hostname);
}

export function loadSpotifyConfig(env: Env = process.env): SpotifyConfig {
  const s = SPOTIFY_SETTINGS;
  return {
    secretId: required(env, "SPOTIFY_SECRET_ID"),
    accountsUrl: url(env, "SPOTIFY_ACCOUNTS_URL", s.SPOTIFY_ACCOUNTS_URL),
    apiUrl: url(env, "SPOTIFY_API_URL", s.SPOTIFY_API_URL),
    maxLimit: integer(env, "SPOTIFY_MAX_LIMIT", s.SPOTIFY_MAX_LIMIT, 1, 50),
    secretCacheTtlMs:
      1000 * integer(env, "SECRET_CACHE_TTL_SECONDS", s.SECRET_CACHE_TTL_SECONDS, 0, 86_400),
    tokenExpiryMarginMs:
      1000 * integer(env, "TOKEN_EXPIRY_MARGIN_SECONDS", s.TOKEN_EXPIRY_MARGIN_SECONDS, 0, 600),
    maxBodyBytes: integer(
      env,
      "UPSTREAM_MAX_BODY_BYTES",
      s.UPSTREAM_MAX_BODY_BYTES,
      1024,
      256 * 1024 ** 2,
    ),
    retry: {
      maxAttempts: integer(env, "RETRY_MAX_ATTEMPTS", s.RETRY_MAX_ATTEMPTS, 1, 10),
      baseDelayMs: integer(env, "RETRY_BASE_DELAY_MS", s.RETRY_BASE_DELAY_MS, 0, 10_000),
      maxRetryAfterMs:
        1000 * integer(env, "RETRY_MAX_WAIT_SECONDS", s.RETRY_MAX_WAIT_SECONDS, 0, 900),
      defaultRetryAfterMs:
        1000 * integer(env, "RETRY_DEFAULT_WAIT_SECONDS", s.RETRY_DEFAULT_WAIT_SECONDS, 1, 900),
      attemptTimeoutMs: integer(env, "UPSTREAM_TIMEOUT_MS", s.UPSTREAM_TIMEOUT_MS, 100, 900_000),
      deadlineMarginMs: integer(env, "DEADLINE_MARGIN_MS", s.DEADLINE_MARGIN_MS, 0, 60_000),
    },
  };
}

export function loadCacheConfig(env: Env = process.env): CacheConfig {
  const s = CACHE_SETTINGS;
  return {
    ttlMs: 1000 * integer(env, "CACHE_TTL_SECONDS", s.CACHE_TTL_SECONDS, 0, 86_400),
    staleIfErrorMs:
      1000 *
      integer(env, "CACHE_STALE_IF_ERROR_SECONDS", s.CACHE_STALE_IF_ERROR_SECONDS, 0, 604_800),
    memoryMaxBytes: integer(
      env,
      "CACHE_MEMORY_MAX_BYTES",
      s.CACHE_MEMORY_MAX_BYTES,
      0,
      8 * 1024 ** 3,
    ),
    tableName: text(env, "CACHE_TABLE_NAME", undefined),
    readTimeoutMs: integer(env, "CACHE_READ_TIMEOUT_MS", s.CACHE_READ_TIMEOUT_MS, 1, 5_000),
    writeTimeoutMs: integer(env, "CACHE_WRITE_TIMEOUT_MS", s.CACHE_WRITE_TIMEOUT_MS, 1, 10_000),
    failureBackoffMs:
      1000 *
      integer(env, "CACHE_FAILURE_BACKOFF_SECONDS", s.CACHE_FAILURE_BACKOFF_SECONDS, 0, 3_600),
    compression: oneOf(env, "CACHE_COMPRESSION", s.CACHE_COMPRESSION, COMPRESSIONS),
    writePolicy: oneOf(env, "CACHE_WRITE_POLICY", s.CACHE_WRITE_POLICY, WRITE_POLICIES),
  };
}

export function loadFleetConfig(env: Env = process.env): FleetConfig {
  const s = FLEET_SETTINGS;
  return {
    readTimeoutMs: integer(env, "COOLDOWN_READ_TIMEOUT_MS", s.COOLDOWN_READ_TIMEOUT_MS, 1, 5_000),
    writeTimeoutMs: integer(
      env,
      "COOLDOWN_WRITE_TIMEOUT_MS",
      s.COOLDOWN_WRITE_TIMEOUT_MS,
      1,
      10_000,
    ),
  };
}

export function loadApiConfig(env: Env = process.env): ApiConfig {
  if (text(env, "PUBLIC_BASE_URL", undefined) === undefined) return { publicBaseUrl: undefined };
  const base = url(env, "PUBLIC_BASE_URL", "");
  const parsed = new URL(base);
  if (
    parsed.search !== "" ||
    parsed.hash !== "" ||
    parsed.username !== "" ||
    parsed.password !== ""
  ) {
    throw new ConfigurationError(
      "Environment variable PUBLIC_BASE_URL must be a base URL without query, fragment or credentials",
    );
  }
  return { publicBaseUrl: base };
}

export function loadScheduledConfig(env: Env = process.env): ScheduledConfig {
  const s = SCHEDULED_SETTINGS;
  return {
    queriesParameter: required(env, "SCHEDULED_QUERIES_PARAMETER"),
    queriesCacheTtlMs:
      1000 * integer(env, "QUERIES_CACHE_TTL_SECONDS", s.QUERIES_CACHE_TTL_SECONDS, 0, 86_400),
    resultsBucket: text(env, "RESULTS_BUCKET", undefined),
    resultsPrefix: (text(env, "RESULTS_PREFIX", s.RESULTS_PREFIX) ?? s.RESULTS_PREFIX).replace(
      /^\/+|\/+$/g,
      "",
    ),
    concurrency: integer(env, "BATCH_CONCURRENCY", s.BATCH_CONCURRENCY, 1, 32),
    maxRetryAfterMs:
      1000 * integer(env, "BATCH_MAX_WAIT_SECONDS", s.BATCH_MAX_WAIT_SECONDS, 0, 900),
    requestsPerSecond: integer(
      env,
      "BATCH_REQUESTS_PER_SECOND",
      s.BATCH_REQUESTS_PER_SECOND,
      1,
      1000,
    ),
    maxRequests: integer(env, "BATCH_MAX_REQUESTS", s.BATCH_MAX_REQUESTS, 1, 100_000),
    cooldownTableName: text(env, "CACHE_TABLE_NAME", undefined),
  };
}
