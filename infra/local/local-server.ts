import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { APIGatewayProxyEventV2, APIGatewayProxyResult } from "aws-lambda";
import { type CorsConfig, preflightAnswer, withCorsHeaders } from "./cors.ts";
import { docsAnswer } from "./docs-page.ts";
import { resultHeaders, toHttpApiEvent } from "./http-event.ts";

export type HttpApiHandler = (event: APIGatewayProxyEventV2) => Promise<APIGatewayProxyResult>;

export interface LocalServerOptions {
  /** Invokes the function with one event (its context made per invocation by the caller). */
  invoke: HttpApiHandler;
  /** CORS as the HTTP API's CorsConfiguration would answer; none when undefined. */
  cors: CorsConfig | undefined;
  /** The running function's SPOTIFY_MAX_LIMIT, for the docs page. */
  maxLimit: number;
}

/**
 * `npm start`'s HTTP front door: `/docs` (the API reference), then what API Gateway would do in
 * front of the function (preflights answered, CORS headers added), then the function.
 */
export function createLocalServer(options: LocalServerOptions): Server {
  return createServer(async (request, response) => {
    try {
      await route(request, response, options);
    } catch (error) {
      console.error("The handler threw:", error);
      if (!response.headersSent) {
        response.writeHead(502, { "content-type": "application/json" });
      }
      response.end(JSON.stringify({ message: "Internal Server Error" }));
    }
  });
}

async function route(
  request: IncomingMessage,
  response: ServerResponse,
  options: LocalServerOptions,
): Promise<void> {
  const method = request.method ?? "GET";
  const path = new URL(request.url ?? "/", "http://localhost").pathname;
  const docs = docsAnswer(method, path, {
    origin: originOf(request),
    maxLimit: options.maxLimit,
  });
  if (docs) {
    response.writeHead(docs.statusCode, docs.headers);
    response.end(method === "HEAD" ? undefined : docs.body);
    return;
  }
  const preflight = options.cors && preflightAnswer(options.cors, method, request.headers);
  if (preflight) {
    response.writeHead(preflight.statusCode, preflight.headers);
    response.end();
    return;
  }
  const result = await options.invoke(toHttpApiEvent(request, await readBody(request)));
  const headers = resultHeaders(result);
  response.writeHead(
    result.statusCode,
    options.cors ? withCorsHeaders(options.cors, request.headers, headers) : headers,
  );
  response.end(result.isBase64Encoded ? Buffer.from(result.body, "base64") : result.body);
}

/** The origin the caller reached this server by (its `Host`), as the docs page's server. */
function originOf(request: IncomingMessage): string {
  const host = request.headers.host;
  if (host) return `http://${host}`;
  const { localAddress, localPort } = request.socket;
  return `http://${localAddress?.includes(":") ? `[${localAddress}]` : localAddress}:${localPort}`;
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    request.on("error", reject);
  });
}
