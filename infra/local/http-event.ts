import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { APIGatewayProxyEventV2, APIGatewayProxyResult } from "aws-lambda";

/** Turns a local HTTP request into the HTTP API payload v2.0 event API Gateway would send. */
export function toHttpApiEvent(request: IncomingMessage, body: string): APIGatewayProxyEventV2 {
  const url = new URL(request.url ?? "/", "http://localhost");
  const rawQueryString = url.search.replace(/^\?/, "");
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(",") : value;
  }
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

/** Writes a proxy result back as the HTTP response API Gateway would give. */
export function writeResult(response: ServerResponse, result: APIGatewayProxyResult): void {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(result.headers ?? {})) headers[name] = String(value);
  for (const [name, values] of Object.entries(result.multiValueHeaders ?? {})) {
    headers[name] = values.map(String).join(", ");
  }
  response.writeHead(result.statusCode, headers);
  response.end(result.isBase64Encoded ? Buffer.from(result.body, "base64") : result.body);
}
