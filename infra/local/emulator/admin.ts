import { apiError, jsonReply, methodNotAllowed, notFound } from "./replies.ts";
import type { Emulator, FaultEndpoint, RecordedEndpoint, RecordedRequest, Reply } from "./types.ts";
import {
  AdminInputError,
  parseConfig,
  parseEndpoint,
  parseFault,
  parseQuota,
  parseRateLimit,
  parseTimes,
} from "./validate.ts";

export const ADMIN_PREFIX = "/__emulator";
const REDACTED = "[redacted]";
const ENDPOINTS: readonly RecordedEndpoint[] = ["token", "search", "other"];

/** A recorded request safe to print: no Authorization value, no client secret. */
export function redact(request: RecordedRequest): RecordedRequest {
  const headers = { ...request.headers };
  if (headers.authorization !== undefined) headers.authorization = REDACTED;
  const query = { ...request.query };
  if (query.client_secret !== undefined) query.client_secret = REDACTED;
  const body = request.body.replace(/(^|&)(client_secret=)[^&]*/g, `$1$2${REDACTED}`);
  return { ...request, headers, query, body };
}

function parseJson(body: string): unknown {
  if (body.trim() === "") return {};
  try {
    return JSON.parse(body);
  } catch {
    throw new AdminInputError("body must be JSON");
  }
}

function listRequests(emulator: Emulator, url: URL): Reply {
  const filter = url.searchParams.get("endpoint");
  const requests = emulator.requests
    .filter((request) => filter === null || request.endpoint === filter)
    .map(redact);
  const counts = Object.fromEntries(ENDPOINTS.map((e) => [e, emulator.count(e)]));
  return jsonReply(200, { count: requests.length, counts, requests });
}

function listFaults(emulator: Emulator): Reply {
  const view = (endpoint: FaultEndpoint) =>
    emulator.pendingFaults(endpoint).map(({ fault, remaining }) => ({
      fault,
      remaining: Number.isFinite(remaining) ? remaining : -1,
    }));
  return jsonReply(200, { token: view("token"), search: view("search") });
}

type Route = (emulator: Emulator, body: unknown, url: URL) => Reply;
const ok = (): Reply => jsonReply(200, { ok: true });

const ROUTES: Record<string, Partial<Record<string, Route>>> = {
  "/faults": {
    GET: (emulator) => listFaults(emulator),
    POST: (emulator, body) => {
      const input = (typeof body === "object" && body !== null ? body : {}) as Record<
        string,
        unknown
      >;
      emulator.fault(
        parseEndpoint(input.endpoint),
        parseFault(input.fault),
        parseTimes(input.times),
      );
      return ok();
    },
    DELETE: (emulator, _body, url) => {
      const endpoint = url.searchParams.get("endpoint");
      emulator.clearFaults(endpoint === null ? undefined : parseEndpoint(endpoint));
      return ok();
    },
  },
  "/rate-limit": {
    POST: (emulator, body) => {
      emulator.setRateLimit(parseRateLimit(body));
      return ok();
    },
    DELETE: (emulator) => {
      emulator.setRateLimit(null);
      return ok();
    },
  },
  "/quota": {
    POST: (emulator, body) => {
      emulator.setQuota(parseQuota(body));
      return ok();
    },
    DELETE: (emulator) => {
      emulator.setQuota(null);
      return ok();
    },
  },
  "/revoke-tokens": {
    POST: (emulator) => {
      emulator.revokeTokens();
      return ok();
    },
  },
  "/config": {
    GET: (emulator) => {
      const { clientSecret: _secret, ...config } = emulator.config;
      return jsonReply(200, config);
    },
    POST: (emulator, body) => {
      emulator.configure(parseConfig(body));
      return ok();
    },
  },
  "/reset": {
    POST: (emulator) => {
      emulator.reset();
      return ok();
    },
  },
  "/requests": { GET: (emulator, _body, url) => listRequests(emulator, url) },
};

/** The admin HTTP API under /__emulator (JSON in, JSON out; never recorded). */
export function handleAdmin(emulator: Emulator, method: string, url: URL, body: string): Reply {
  const routes = ROUTES[url.pathname.slice(ADMIN_PREFIX.length)];
  if (routes === undefined) return notFound();
  const route = routes[method];
  if (route === undefined) return methodNotAllowed(Object.keys(routes).join(", "));
  try {
    return route(emulator, parseJson(body), url);
  } catch (error) {
    if (error instanceof AdminInputError || error instanceof RangeError) {
      return apiError(400, error.message);
    }
    throw error;
  }
}
