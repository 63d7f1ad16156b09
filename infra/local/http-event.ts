import { randomUUID } from "node:crypto";
import type { IncomingMessage } from "node:http";
import type { APIGatewayProxyEventV2, APIGatewayProxyResult } from "aws-lambda";

/**
 * Turns a local HTTP request into the HTTP API payload v2.0 event API Gateway would send. As API
 * Gateway does, the caller's `host` header is kept and the `x-forwarded-*` headers are set (here
 * `x-forwarded-proto: http`), so links the function builds from them lead back to this server.
 */
export function toHttpApiEvent(request: IncomingMessage, body: string): APIGatewayProxyEventV2 {
  const url = new URL(request.url ?? "/", "http://localhost");
  const rawQueryString = url.search.replace(/^\?/, "");
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(",") : value;
  }
  // The scheme and port are the front door's own, whatever the caller sent; the caller's address
  // is appended to any chain it sent, as a proxy does.
  const client = request.socket.remoteAddress ?? "127.0.0.1";
  headers["x-forwarded-proto"] = "http";
  headers["x-forwarded-port"] = String(request.socket.localPort ?? "");
  headers["x-forwarded-for"] = headers["x-forwarded-for"]
    ? `${headers["x-forwarded-for"]}, ${client}`
    : client;
  const single: Record<string, string> = {};
  for (const [name, value] of url.searchParams) {
    single[name] = single[name] === undefined ? value : `${single[name]},${value}`;
  }
  const method = request.method ?? "GET";
  const now = new Date();
  return {
    version: "2.0",
    routeKey: "$default",
    rawPath: url.pathname,
    rawQueryString,
    headers,
    queryStringParameters: rawQueryString ? single : undefined,
    requestContext: {
      accountId: "123456789012",
      apiId: "local",
      domainName: headers.host ?? "localhost",
      domainPrefix: "local",
      http: {
        method,
        path: url.pathname,
        protocol: `HTTP/${request.httpVersion}`,
        sourceIp: request.socket.remoteAddress ?? "127.0.0.1",
        userAgent: headers["user-agent"] ?? "",
      },
      requestId: randomUUID(),
      routeKey: "$default",
      stage: "$default",
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
    },
    body: body === "" ? undefined : body,
    isBase64Encoded: false,
  };
}

/** A proxy result's headers as API Gateway sends them: multi-value ones joined with ", ". */
export function resultHeaders(result: APIGatewayProxyResult): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(result.headers ?? {})) headers[name] = String(value);
  for (const [name, values] of Object.entries(result.multiValueHeaders ?? {})) {
    headers[name] = values.map(String).join(", ");
  }
  return headers;
}
