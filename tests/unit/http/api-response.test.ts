import { describe, expect, it } from "vitest";
import {
  ConfigurationError,
  MethodNotAllowedError,
  NotFoundError,
  UpstreamError,
  ValidationError,
} from "../../../lib/errors.ts";
import { errorResponse, jsonText } from "../../../lib/http/api-response.ts";

function bodyOf(result: { body: string }) {
  return JSON.parse(result.body);
}

describe("jsonText", () => {
  it("passes the body through unchanged as JSON", () => {
    const text = '{"artists": {"items": [] }}';

    expect(jsonText(200, text)).toEqual({
      statusCode: 200,
      headers: { "content-type": "application/json", "x-content-type-options": "nosniff" },
      body: text,
      isBase64Encoded: false,
    });
  });
});

const ERROR_HEADERS = {
  "content-type": "application/json",
  "x-content-type-options": "nosniff",
  "cache-control": "no-store",
};

describe("errorResponse", () => {
  it("answers a validation error as 400 in Spotify's error shape", () => {
    const result = errorResponse(new ValidationError("Missing required parameter q"));

    expect(result).toEqual({
      statusCode: 400,
      headers: ERROR_HEADERS,
      body: '{"error":{"status":400,"message":"Missing required parameter q"}}',
      isBase64Encoded: false,
    });
  });

  it("answers 404 for no route", () => {
    const result = errorResponse(new NotFoundError("No route for /albums"));

    expect(result.statusCode).toBe(404);
    expect(bodyOf(result)).toEqual({ error: { status: 404, message: "No route for /albums" } });
  });

  it("answers 405 with an Allow header listing the methods", () => {
    const result = errorResponse(new MethodNotAllowedError("POST", ["GET", "HEAD"]));

    expect(result.statusCode).toBe(405);
    expect(result.headers.allow).toBe("GET, HEAD");
    expect(bodyOf(result)).toEqual({
      error: { status: 405, message: "Method POST not allowed; use GET, HEAD" },
    });
  });

  it("adds Retry-After in whole seconds and Spotify's reason for a 429", () => {
    const error = new UpstreamError(429, "Too many requests", {
      retryAfterSeconds: 86_400,
      reason: "QUOTA_EXCEEDED",
    });

    const result = errorResponse(error);

    expect(result.statusCode).toBe(429);
    expect(result.headers["retry-after"]).toBe("86400");
    expect(bodyOf(result)).toEqual({
      error: { status: 429, message: "Too many requests", reason: "QUOTA_EXCEEDED" },
    });
  });

  it("sends Retry-After: 0 when the error says 0 seconds", () => {
    const result = errorResponse(new UpstreamError(503, "busy", { retryAfterSeconds: 0 }));

    expect(result.headers["retry-after"]).toBe("0");
  });

  it("adds neither Retry-After, reason nor Allow when the error has none", () => {
    const result = errorResponse(new UpstreamError(502, "Spotify answered 500 after 3 attempts"));

    expect(result.headers).toEqual(ERROR_HEADERS);
    expect(bodyOf(result)).toEqual({
      error: { status: 502, message: "Spotify answered 500 after 3 attempts" },
    });
  });

  it("passes a configuration error's message, which names the variable", () => {
    const result = errorResponse(new ConfigurationError("Environment variable X is not set"));

    expect(result.statusCode).toBe(500);
    expect(bodyOf(result).error.message).toBe("Environment variable X is not set");
  });

  it.each([
    ["an Error", new Error("connect ECONNREFUSED 10.0.0.1 secret-token-xyz")],
    ["a TypeError", new TypeError("Cannot read properties of undefined (secret-token-xyz)")],
    ["a string", "secret-token-xyz"],
    ["an object", { message: "secret-token-xyz", status: 418 }],
    ["undefined", undefined],
    ["null", null],
  ])("answers %s as 500 Internal error without its message", (_name, error) => {
    const result = errorResponse(error);

    expect(result.statusCode).toBe(500);
    expect(result.body).toBe('{"error":{"status":500,"message":"Internal error"}}');
    expect(JSON.stringify(result)).not.toContain("secret-token-xyz");
    expect(result.headers).toEqual(ERROR_HEADERS);
  });

  it("never includes the stack or cause of a known error", () => {
    const error = new UpstreamError(502, "Could not reach Spotify", {
      cause: new Error("inner secret-token-xyz"),
    });

    const result = errorResponse(error);

    expect(result.body).toBe('{"error":{"status":502,"message":"Could not reach Spotify"}}');
  });
});

const errors = [
  new ValidationError("Missing required parameter q"),
  new NotFoundError("No route for /x"),
  new MethodNotAllowedError("POST", ["GET"]),
  new UpstreamError(429, "Too many requests", { retryAfterSeconds: 3 }),
  new UpstreamError(502, "Spotify answered an unexpected 302"),
  new ConfigurationError("Environment variable SPOTIFY_SECRET_ID is not set"),
  new Error("boom"),
];

describe("response headers", () => {
  it("a 200 carries x-content-type-options: nosniff", () => {
    expect(jsonText(200, "{}").headers).toMatchObject({
      "content-type": "application/json",
      "x-content-type-options": "nosniff",
    });
  });

  it.each(errors.map((error) => [error.name, error] as const))(
    "an error answer (%s) carries nosniff and cache-control: no-store",
    (_name, error) => {
      const headers = errorResponse(error).headers;

      expect(headers["x-content-type-options"]).toBe("nosniff");
      expect(headers["cache-control"]).toBe("no-store");
    },
  );
});
