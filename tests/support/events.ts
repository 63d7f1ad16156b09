import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import type { APIGatewayProxyEvent, APIGatewayProxyEventV2 } from "aws-lambda";

const root = resolve(import.meta.dirname, "../..");

export function loadEvent<T>(name: string): T {
  return JSON.parse(readFileSync(resolve(root, "events", name), "utf8")) as T;
}

/** An HTTP API v2.0 event as API Gateway sends it, for the given raw query string. */
export function httpApiEvent(
  rawQueryString: string,
  method = "GET",
  path = "/search",
): APIGatewayProxyEventV2 {
  const event = loadEvent<APIGatewayProxyEventV2>("search-http-api.json");
  const single: Record<string, string> = {};
  for (const [name, value] of new URLSearchParams(rawQueryString)) {
    single[name] = single[name] === undefined ? value : `${single[name]},${value}`;
  }
  return {
    ...event,
    routeKey: `${method} ${path}`,
    rawPath: path,
    rawQueryString,
    queryStringParameters: rawQueryString ? single : undefined,
    requestContext: {
      ...event.requestContext,
      http: { ...event.requestContext.http, method, path },
    },
  };
}

/** A REST API v1 proxy event for the given query values. */
export function restApiEvent(
  query: Record<string, string[]>,
  method = "GET",
  path = "/search",
): APIGatewayProxyEvent {
  const event = loadEvent<APIGatewayProxyEvent>("search-rest-api.json");
  const single = Object.fromEntries(
    Object.entries(query).map(([k, v]) => [k, v[v.length - 1] ?? ""]),
  );
  const empty = Object.keys(query).length === 0;
  return {
    ...event,
    httpMethod: method,
    path,
    queryStringParameters: empty ? null : single,
    multiValueQueryStringParameters: empty ? null : query,
    requestContext: { ...event.requestContext, httpMethod: method },
  };
}
