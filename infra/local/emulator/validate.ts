import type {
  ConfigPatch,
  Fault,
  FaultEndpoint,
  Latency,
  Profile,
  Quota,
  RateLimit,
} from "./types.ts";

/** A malformed admin request body. */
export class AdminInputError extends Error {
  override readonly name = "AdminInputError";
}

type Input = Record<string, unknown>;

function object(value: unknown, what: string): Input {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new AdminInputError(`${what} must be a JSON object`);
  }
  return value as Input;
}

function optional<T>(input: Input, key: string, guard: (v: unknown) => v is T, what: string) {
  const value = input[key];
  if (value === undefined) return undefined;
  if (!guard(value)) throw new AdminInputError(`${key} must be ${what}`);
  return value;
}

const isString = (v: unknown): v is string => typeof v === "string";
const isBoolean = (v: unknown): v is boolean => typeof v === "boolean";
const isCount = (v: unknown): v is number => typeof v === "number" && Number.isInteger(v) && v >= 0;
const isNullableString = (v: unknown): v is string | null => v === null || typeof v === "string";
const isHeaders = (v: unknown): v is Record<string, string> =>
  typeof v === "object" && v !== null && Object.values(v).every(isString);
const isProfile = (v: unknown): v is Profile => v === "development" || v === "extended";

export function parseEndpoint(value: unknown): FaultEndpoint {
  if (value === "token" || value === "search") return value;
  throw new AdminInputError('endpoint must be "token" or "search"');
}

export function parseFault(value: unknown): Fault {
  const input = object(value, "fault");
  switch (input.kind) {
    case "status": {
      const status = input.status;
      if (!isCount(status) || status < 100 || status > 599) {
        throw new AdminInputError("status must be an HTTP status code");
      }
      const headers = optional(input, "headers", isHeaders, "an object of strings");
      return { kind: "status", status, body: input.body, ...(headers && { headers }) };
    }
    case "rate-limit": {
      const retryAfter = optional(input, "retryAfter", isNullableString, "a string or null");
      const emptyBody = optional(input, "emptyBody", isBoolean, "a boolean");
      const lowerCaseHeader = optional(input, "lowerCaseHeader", isBoolean, "a boolean");
      return { kind: "rate-limit", retryAfter, emptyBody, lowerCaseHeader };
    }
    case "quota":
      return { kind: "quota", retryAfter: optional(input, "retryAfter", isCount, "an integer") };
    case "delay": {
      const ms = input.ms;
      if (!isCount(ms)) throw new AdminInputError("ms must be a non-negative integer");
      return { kind: "delay", ms };
    }
    case "unauthorized":
    case "reset":
    case "hang":
    case "malformed-json":
      return { kind: input.kind };
    default:
      throw new AdminInputError("unknown fault kind");
  }
}

/** `times`: a positive integer, or -1 for "until cleared"; defaults to 1. */
export function parseTimes(value: unknown): number {
  if (value === undefined) return 1;
  if (value === -1) return Number.POSITIVE_INFINITY;
  if (isCount(value) && value >= 1) return value;
  throw new AdminInputError("times must be a positive integer or -1");
}

export function parseRateLimit(value: unknown): RateLimit | null {
  if (value === null) return null;
  const input = object(value, "rate limit");
  const { windowMs, maxRequests } = input;
  if (!isCount(windowMs) || windowMs < 1 || !isCount(maxRequests)) {
    throw new AdminInputError("windowMs (>= 1) and maxRequests (>= 0) must be integers");
  }
  const countRejected = optional(input, "countRejected", isBoolean, "a boolean");
  return { windowMs, maxRequests, ...(countRejected !== undefined && { countRejected }) };
}

export function parseQuota(value: unknown): Quota | null {
  if (value === null) return null;
  const input = object(value, "quota");
  const { maxRequests, retryAfterSeconds, once } = input;
  if (!isCount(maxRequests) || !isCount(retryAfterSeconds) || retryAfterSeconds < 1) {
    throw new AdminInputError("maxRequests (>= 0) and retryAfterSeconds (>= 1) must be integers");
  }
  if (once !== undefined && typeof once !== "boolean") {
    throw new AdminInputError("once must be a boolean");
  }
  return { maxRequests, retryAfterSeconds, ...(once === undefined ? {} : { once }) };
}

function parseLatency(value: unknown): Latency | null {
  if (value === null) return null;
  const input = object(value, "latency");
  const { minMs, maxMs } = input;
  if (!isCount(minMs) || !isCount(maxMs) || maxMs < minMs) {
    throw new AdminInputError("latency needs integers 0 <= minMs <= maxMs");
  }
  return { minMs, maxMs };
}

export function parseConfig(value: unknown): ConfigPatch {
  const input = object(value, "config");
  const patch: ConfigPatch = {};
  const profile = optional(input, "profile", isProfile, '"development" or "extended"');
  if (profile !== undefined) patch.profile = profile;
  const lifetime = optional(input, "tokenLifetimeSeconds", isCount, "a non-negative integer");
  if (lifetime !== undefined) patch.tokenLifetimeSeconds = lifetime;
  const clientId = optional(input, "clientId", isString, "a string");
  if (clientId !== undefined) patch.clientId = clientId;
  const clientSecret = optional(input, "clientSecret", isString, "a string");
  if (clientSecret !== undefined) patch.clientSecret = clientSecret;
  if (input.latency !== undefined) patch.latency = parseLatency(input.latency);
  return patch;
}
