import { describe, expect, it } from "vitest";
import {
  ConfigurationError,
  MethodNotAllowedError,
  NotFoundError,
  UpstreamError,
  ValidationError,
} from "../../../lib/errors.ts";
import { errorResponse, jsonText } from "../../../lib/http/api-response.ts";

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
