import type { APIGatewayProxyEvent, APIGatewayProxyEventV2 } from "aws-lambda";
import { ValidationError } from "../errors.ts";
import { asRecord, isRecord } from "../records.ts";

/** Query parameters as API Gateway delivers them: every value a name was given. */
export type QueryValues = Readonly<Record<string, readonly string[]>>;

/** API Gateway HTTP API (payload v2.0) or REST API (v1) proxy event. */
export type ApiEvent = APIGatewayProxyEventV2 | APIGatewayProxyEvent;

export interface ApiRequest {
  method: string;
  path: string;
  query: QueryValues;
  /** API Gateway's own request id, for correlating logs. */
  requestId: string | undefined;
}

/** Reads method, path and every query value from either payload version. */
export function parseApiEvent(event: unknown): ApiRequest {
  if (!isRecord(event)) throw new ValidationError("The event is not an API Gateway proxy event");
  const context = asRecord(event.requestContext);
  const requestId = typeof context.requestId === "string" ? context.requestId : undefined;
  const http = asRecord(context.http);

  if (typeof http.method === "string") {
    const v2 = event as unknown as APIGatewayProxyEventV2;
    const path = firstString(v2.rawPath, http.path);
    return { method: http.method.toUpperCase(), path, query: queryFromV2(v2), requestId };
  }
  if (typeof event.httpMethod === "string") {
    const v1 = event as unknown as APIGatewayProxyEvent;
    const path = firstString(v1.path, v1.resource);
    return { method: v1.httpMethod.toUpperCase(), path, query: queryFromV1(v1), requestId };
  }
  throw new ValidationError("The event is not an API Gateway proxy event");
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
    for (const [name, values] of Object.entries(multi)) {
      if (Array.isArray(values)) query[name] = values.filter((v) => typeof v === "string");
      else if (typeof values === "string") query[name] = [values];
    }
    return query;
  }
  return fromSingleValues(event.queryStringParameters);
}

function fromSearchParams(raw: string): QueryValues {
  const query = emptyQuery();
  for (const [name, value] of new URLSearchParams(raw)) {
    query[name] = [...(query[name] ?? []), value];
  }
  return query;
}

function fromSingleValues(
  values: Record<string, string | undefined> | null | undefined,
): QueryValues {
  const query = emptyQuery();
  if (!values || typeof values !== "object") return query;
  for (const [name, value] of Object.entries(values)) {
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
