import { describe, expect, it } from "vitest";
import {
  ConfigurationError,
  MethodNotAllowedError,
  UpstreamError,
  ValidationError,
} from "../../../lib/errors.ts";
import { answerError } from "../../../lib/http/answer-error.ts";
import { errorResponse } from "../../../lib/http/api-response.ts";
import { recorder } from "../../support/recorder.ts";

describe("answerError", () => {
  it.each([
    new ValidationError("Missing required parameter q"),
    new MethodNotAllowedError("POST", ["GET"]),
    new UpstreamError(429, "Spotify rate limit exceeded", { retryAfterSeconds: 3 }),
    new UpstreamError(502, "Spotify answered an unexpected 302"),
    new Error("boom"),
  ])("answers as errorResponse does (%s)", (error) => {
    const seen = recorder();

    expect(answerError(error, seen.log, seen.metrics)).toEqual(errorResponse(error));
  });

  it("logs a refusal (4xx) once, at info, with the status and our message", () => {
    const seen = recorder();

    answerError(new ValidationError("Missing required parameter q"), seen.log, seen.metrics);

    expect(seen.lines).toEqual([
      {
        level: "info",
        message: "Search refused",
        details: [{ status: 400, error: "Missing required parameter q" }],
      },
    ]);
    expect(seen.counts.size).toBe(0);
  });

  it("logs a failure (5xx) once, at error", () => {
    const seen = recorder();

    answerError(new UpstreamError(502, "Spotify answered 500"), seen.log, seen.metrics);

    expect(seen.lines).toEqual([
      {
        level: "error",
        message: "Search failed",
        details: [{ status: 502, error: "Spotify answered 500" }],
      },
    ]);
  });

  it("counts a 429 answer as throttled, once", () => {
    const seen = recorder();

    answerError(
      new UpstreamError(429, "Spotify rate limit exceeded", { retryAfterSeconds: 3 }),
      seen.log,
      seen.metrics,
    );

    expect(seen.counts).toEqual(new Map([["ThrottledAnswers", 1]]));
    expect(seen.lines.map((line) => line.level)).toEqual(["info"]);
  });

  it("counts nothing for other statuses", () => {
    const seen = recorder();

    answerError(new UpstreamError(503, "Spotify is unavailable"), seen.log, seen.metrics);
    answerError(new ValidationError("bad"), seen.log, seen.metrics);

    expect(seen.counts.size).toBe(0);
  });

  it("logs an error of ours by its message, without its cause", () => {
    const seen = recorder();
    const cause = new Error("secret-value-9d1e was not JSON");

    answerError(
      new ConfigurationError("The secret has no client_id", { cause }),
      seen.log,
      seen.metrics,
    );

    expect(seen.lines[0]?.details).toEqual([{ status: 500, error: "The secret has no client_id" }]);
    expect(JSON.stringify(seen.lines)).not.toContain("secret-value-9d1e");
  });

  it("logs anything else by its name and message, as a 500", () => {
    const seen = recorder();

    const answer = answerError(new TypeError("x is not a function"), seen.log, seen.metrics);

    expect(answer.statusCode).toBe(500);
    expect(seen.lines).toEqual([
      {
        level: "error",
        message: "Search failed",
        details: [{ status: 500, error: "TypeError: x is not a function" }],
      },
    ]);
  });

  it.each([undefined, "text", { message: "not an Error" }])(
    "logs a thrown non-Error (%j) as an unknown error",
    (thrown) => {
      const seen = recorder();

      answerError(thrown, seen.log, seen.metrics);

      expect(seen.lines[0]?.details).toEqual([{ status: 500, error: "unknown error" }]);
    },
  );
});
