import type { APIGatewayProxyEvent, APIGatewayProxyEventV2 } from "aws-lambda";
import { ValidationError } from "../errors.ts";
import { asRecord, isRecord } from "../records.ts";
import type { QueryValues } from "../search/search-params.ts";
import { MAX_QUERY_PARAMETERS } from "../search/search-rules.ts";

/** API Gateway HTTP API (payload v2.0) or REST API (v1) proxy event. */
export type ApiEvent = APIGatewayProxyEventV2 | APIGatewayProxyEvent;

export interface ApiRequest {
  method: string;
  path: string;
  query: QueryValues;
  /** API Gateway's own request id, for correlating logs. */
  requestId: string | undefined;
  /** Where the caller reached us: the base our paging links point at. */
  origin: RequestOrigin;
  /** The request carries credentials (`Authorization`, or an authoriser's context). */
  authorized: boolean;
}

export interface RequestOrigin {
  scheme: "http" | "https";
  /** `Host` as the caller sent it, else API Gateway's domain name; undefined when neither is valid. */
  host: string | undefined;
  /** The path the caller used, stage prefix included (`/prod/search`), without a trailing slash. */
  path: string;
}

/** Reads method, path and every query value from either payload version. */
export function parseApiEvent(event: unknown): ApiRequest {
  if (!isRecord(event)) throw new ValidationError("The event is not an API Gateway proxy event");
  const context = asRecord(event.requestContext);
  const requestId = typeof context.requestId === "string" ? context.requestId : undefined;
  const http = asRecord(context.http);

  const headers = asRecord(event.headers);
  const authorized = header(headers, "authorization") !== undefined || hasAuthorizer(context);
  if (typeof http.method === "string") {
    const v2 = event as unknown as APIGatewayProxyEventV2;
    const path = firstString(v2.rawPath, http.path);
    return {
      method: http.method.toUpperCase(),
      path,
      query: queryFromV2(v2),
      requestId,
      origin: originOf(headers, context, path),
      authorized,
    };
  }
  if (typeof event.httpMethod === "string") {
    const v1 = event as unknown as APIGatewayProxyEvent;
    const path = firstString(v1.path, v1.resource);
    // The REST API's `path` lacks the stage; its request context has the path as called.
    const called = firstString(context.path, path);
    return {
      method: v1.httpMethod.toUpperCase(),
      path,
      query: queryFromV1(v1),
      requestId,
      origin: originOf(headers, context, called),
      authorized,
    };
  }
  throw new ValidationError("The event is not an API Gateway proxy event");
}

/** host, host:port, an IPv4 or a bracketed IPv6 address: nothing that could bend a URL. */
const HOST = /^(?:[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/;

function originOf(
  headers: Record<string, unknown>,
  context: Record<string, unknown>,
  path: string,
): RequestOrigin {
  const candidates = [header(headers, "host"), context.domainName];
  const host = candidates.find(
    (value): value is string => typeof value === "string" && HOST.test(value),
  );
  const proto = header(headers, "x-forwarded-proto")?.toLowerCase();
  return {
    scheme: proto === "http" ? "http" : "https",
    host,
    path: path.replace(/\/+$/, ""),
  };
}

/** A header's value by name in any case (REST API events keep the caller's case). */
function header(headers: Record<string, unknown>, name: string): string | undefined {
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() === name && typeof value === "string") return value;
  }
  return undefined;
}

/** API Gateway ran an authoriser (JWT, IAM, Lambda, Cognito) and put its context here. */
function hasAuthorizer(context: Record<string, unknown>): boolean {
  const authorizer = context.authorizer;
  return isRecord(authorizer) && Object.keys(authorizer).length > 0;
}

function queryFromV2(event: APIGatewayProxyEventV2): QueryValues {
  // rawQueryString keeps repeated names apart; queryStringParameters joins them with commas.
  if (typeof event.rawQueryString === "string") return fromSearchParams(event.rawQueryString);
  return fromSingleValues(event.queryStringParameters);
}

function queryFromV1(event: APIGatewayProxyEvent): QueryValues {
  const multi = event.multiValueQueryStringParameters;
  if (multi && typeof multi === "object") {
    const query = emptyQuery();
    let count = 0;
    for (const [name, values] of Object.entries(multi)) {
      if (Array.isArray(values)) count += values.length;
      else if (typeof values === "string") count++;
      else continue;
      if (count > MAX_QUERY_PARAMETERS) throw tooManyParameters();
      query[name] = Array.isArray(values) ? values.filter((v) => typeof v === "string") : [values];
    }
    return query;
  }
  return fromSingleValues(event.queryStringParameters);
}

/**
 * Splits the raw query string itself (URLSearchParams decodes each pair), stopping at the first
 * pair past the cap: the work is linear in what is read and bounded by the cap, whatever the size.
 */
function fromSearchParams(raw: string): QueryValues {
  const query = emptyQuery();
  let count = 0;
  for (let start = 0; start <= raw.length; ) {
    const end = raw.indexOf("&", start);
    const stop = end === -1 ? raw.length : end;
    if (stop > start) {
      if (++count > MAX_QUERY_PARAMETERS) throw tooManyParameters();
      // URLSearchParams drops a leading "?" of its input: only the whole string's may go.
      const pair = start === 0 ? raw.slice(0, stop) : `&${raw.slice(start, stop)}`;
      for (const [name, value] of new URLSearchParams(pair)) {
        const values = query[name];
        if (values) values.push(value);
        else query[name] = [value];
      }
    }
    start = stop + 1;
  }
  return query;
}

function tooManyParameters(): ValidationError {
  return new ValidationError(`Too many query parameters (at most ${MAX_QUERY_PARAMETERS})`);
}

function fromSingleValues(
  values: Record<string, string | undefined> | null | undefined,
): QueryValues {
  const query = emptyQuery();
  if (!values || typeof values !== "object") return query;
  const entries = Object.entries(values);
  if (entries.length > MAX_QUERY_PARAMETERS) throw tooManyParameters();
  for (const [name, value] of entries) {
    if (typeof value === "string") query[name] = [value];
  }
  return query;
}

/** No prototype: a parameter named `constructor` or `__proto__` is just an (unknown) name. */
function emptyQuery(): Record<string, string[]> {
  return Object.create(null) as Record<string, string[]>;
}

function firstString(...values: unknown[]): string {
  return (values.find((value) => typeof value === "string") as string | undefined) ?? "";
}
