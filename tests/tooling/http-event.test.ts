import { createServer, type Server } from "node:http";
import type { APIGatewayProxyEventV2 } from "aws-lambda";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { toHttpApiEvent } from "../../infra/local/http-event.ts";

/** A server that answers each request with the event `npm start` would give the function. */
let server: Server;
let base = "";

beforeAll(async () => {
  server = createServer((request, response) => {
    response.writeHead(200, { "content-type": "application/json" });
    response.end(JSON.stringify(toHttpApiEvent(request, "")));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  base = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

async function eventFor(path: string, headers: Record<string, string> = {}) {
  const response = await fetch(`${base}${path}`, { headers });
  return (await response.json()) as APIGatewayProxyEventV2;
}

describe("the local HTTP API v2.0 event", () => {
  it("carries the caller's Host and x-forwarded-proto http, so links lead back here", async () => {
    const event = await eventFor("/search?q=a%20b&type=artist");

    expect(event.headers.host).toBe(base.replace("http://", ""));
    expect(event.headers["x-forwarded-proto"]).toBe("http");
    expect(event.headers["x-forwarded-port"]).toBe(new URL(base).port);
    expect(event.headers["x-forwarded-for"]).toBe("127.0.0.1");
    expect(event.rawPath).toBe("/search");
    expect(event.rawQueryString).toBe("q=a%20b&type=artist");
    expect(event.queryStringParameters).toEqual({ q: "a b", type: "artist" });
  });

  it("overwrites the x-forwarded-proto a caller sent, and appends it to x-forwarded-for", async () => {
    const event = await eventFor("/search", {
      "x-forwarded-proto": "https",
      "x-forwarded-for": "203.0.113.9",
    });

    expect(event.headers["x-forwarded-proto"]).toBe("http");
    expect(event.headers["x-forwarded-for"]).toBe("203.0.113.9, 127.0.0.1");
  });
});
