import { describe, expect, it } from "vitest";
import { ConfigurationError } from "../../../lib/errors.ts";
import { parseCredentials } from "../../../lib/spotify/credentials-provider.ts";

/** Distinctive enough that finding it anywhere in an error means the secret leaked. */
const SECRET = "s3cr3t-7c1e0b9d44aa";

function refusal(text: string): ConfigurationError {
  try {
    parseCredentials(text);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigurationError);
    return error as ConfigurationError;
  }
  throw new Error("expected a ConfigurationError");
}

/** Everything an error could carry into a log line or an answer. */
function everythingIn(error: Error): string {
  return [
    error.message,
    error.stack ?? "",
    String(error),
    JSON.stringify(error),
    String(error.cause),
  ].join("\n");
}

describe("parseCredentials", () => {
  it("reads client_id and client_secret, trimmed, ignoring other fields", () => {
    const text = JSON.stringify({ client_id: " id-1 ", client_secret: ` ${SECRET}\n`, note: "x" });

    expect(parseCredentials(text)).toEqual({ clientId: "id-1", clientSecret: SECRET });
  });

  const cases: [string, string, string][] = [
    ["text that is not JSON", `client_secret=${SECRET}`, "is not JSON"],
    ["truncated JSON", `{"client_id":"id","client_secret":"${SECRET}`, "is not JSON"],
    ["a JSON string", JSON.stringify(SECRET), "must be a JSON object"],
    ["a JSON array", JSON.stringify(["id", SECRET]), "must be a JSON object"],
    ["JSON null", "null", "must be a JSON object"],
    ["a missing client_id", JSON.stringify({ client_secret: SECRET }), '"client_id"'],
    [
      "a blank client_id",
      JSON.stringify({ client_id: "  ", client_secret: SECRET }),
      '"client_id"',
    ],
    [
      "a numeric client_id",
      JSON.stringify({ client_id: 12, client_secret: SECRET }),
      '"client_id"',
    ],
    ["a missing client_secret", JSON.stringify({ client_id: SECRET }), '"client_secret"'],
    [
      "an empty client_secret",
      JSON.stringify({ client_id: "id", client_secret: "" }),
      '"client_secret"',
    ],
    [
      "a client_secret in an object",
      JSON.stringify({ client_id: "id", client_secret: { v: SECRET } }),
      '"client_secret"',
    ],
    ["misnamed fields", JSON.stringify({ clientId: "id", clientSecret: SECRET }), '"client_id"'],
    ["the secret as client_id key", `{"${SECRET}":1}`, '"client_id"'],
  ];

  it.each(cases)("refuses %s, naming what is wrong but never the secret", (_name, text, part) => {
    const error = refusal(text);

    expect(error.status).toBe(500);
    expect(error.message).toContain(part);
    expect(error.message).toContain("SPOTIFY_SECRET_ID");
    expect(everythingIn(error)).not.toContain(SECRET);
    expect(error.cause).toBeUndefined();
  });

  it("names the field in the expected words", () => {
    expect(refusal("{}").message).toBe(
      'The secret named by SPOTIFY_SECRET_ID has no non-empty string "client_id"',
    );
    expect(refusal("[]").message).toBe(
      "The value of the secret named by SPOTIFY_SECRET_ID must be a JSON object",
    );
    expect(refusal("").message).toBe(
      "The value of the secret named by SPOTIFY_SECRET_ID is not JSON",
    );
  });
});
