import { describe, expect, it } from "vitest";
import {
  allowedOrigin,
  type CorsConfig,
  corsFromEnv,
  preflightAnswer,
  withCorsHeaders,
} from "../../infra/local/cors.ts";

/** The rules of `npm start`'s CORS; the browser test shows them in Chromium. */
const config = (origins: string): CorsConfig => {
  const parsed = corsFromEnv(origins);
  if (!parsed) throw new Error(`no origins in ${origins}`);
  return parsed;
};

describe("CORS_ALLOW_ORIGINS", () => {
  it("empty or unset means no CORS at all (as before)", () => {
    expect(corsFromEnv(undefined)).toBeUndefined();
    expect(corsFromEnv("")).toBeUndefined();
    expect(corsFromEnv(" , ")).toBeUndefined();
  });

  it("is a comma-separated list; GET, Authorization, Cache-Status and Age go with it", () => {
    expect(config(" https://a.example ,http://127.0.0.1:8080 ")).toEqual({
      allowOrigins: ["https://a.example", "http://127.0.0.1:8080"],
      allowMethods: ["GET"],
      allowHeaders: expect.arrayContaining(["authorization"]),
      exposeHeaders: expect.arrayContaining(["cache-status", "age"]),
      maxAgeSeconds: expect.any(Number),
    });
  });

  it.each([
    ["https://a.example", "https://a.example", "https://a.example"],
    ["https://a.example", "https://A.example", "https://A.example"],
    ["https://a.example", "https://a.example:8443", undefined],
    ["https://a.example", "http://a.example", undefined],
    ["https://*", "https://anything.example", "https://anything.example"],
    ["https://*", "http://anything.example", undefined],
    ["*", "http://anything.example", "*"],
    ["https://a.example", undefined, undefined],
  ])("allowing %s, origin %s gets Access-Control-Allow-Origin %s", (allowed, origin, expected) => {
    expect(allowedOrigin(config(allowed), origin)).toBe(expected);
  });
});

describe("a preflight", () => {
  const cors = config("https://a.example");

  it("needs OPTIONS, Origin and Access-Control-Request-Method; anything else goes on", () => {
    const preflight = { origin: "https://a.example", "access-control-request-method": "GET" };
    expect(preflightAnswer(cors, "OPTIONS", preflight)).toBeDefined();
    expect(preflightAnswer(cors, "GET", preflight)).toBeUndefined();
    expect(preflightAnswer(cors, "OPTIONS", { origin: "https://a.example" })).toBeUndefined();
    expect(
      preflightAnswer(cors, "OPTIONS", { "access-control-request-method": "GET" }),
    ).toBeUndefined();
  });

  it("from an origin not allowed is a 204 without Access-Control-* headers", () => {
    const answer = preflightAnswer(cors, "OPTIONS", {
      origin: "https://b.example",
      "access-control-request-method": "GET",
    });
    expect(answer).toEqual({ statusCode: 204, headers: {} });
  });
});

describe("an answer of the function", () => {
  const cors = config("https://a.example");

  it("loses the function's own CORS headers and gains the configured ones", () => {
    const headers = withCorsHeaders(
      cors,
      { origin: "https://a.example" },
      { "content-type": "application/json", "Access-Control-Allow-Origin": "*", vary: "accept" },
    );
    expect(headers).toEqual({
      "content-type": "application/json",
      "access-control-allow-origin": "https://a.example",
      "access-control-expose-headers": "cache-status,age,retry-after",
      vary: "accept, origin",
    });
  });

  it("for no Origin, or one not allowed, carries no CORS header", () => {
    const own = { "content-type": "application/json", "access-control-max-age": "1" };
    expect(withCorsHeaders(cors, {}, own)).toEqual({ "content-type": "application/json" });
    expect(withCorsHeaders(cors, { origin: "https://b.example" }, own)).toEqual({
      "content-type": "application/json",
    });
  });
});
