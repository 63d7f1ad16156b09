import { describe, expect, it } from "vitest";
import { ConfigurationError, UpstreamError } from "../../../lib/errors.ts";
import {
  CredentialsProvider,
  parseCredentials,
} from "../../../lib/spotify/credentials-provider.ts";
import { FakeClock } from "../../support/fake-clock.ts";
import { recorder } from "../../support/recorder.ts";

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

/**
 * A provider over an in-memory secret store (the `SecretReader` port): `answer` is what the next
 * reads return, or the error they throw.
 */
function providerOver(
  first: string | Error,
  options: { ttlMs?: number; failureHoldMs?: number } = {},
) {
  const clock = new FakeClock();
  const store = { answer: first, reads: 0, secretIds: [] as string[] };
  const { lines, counts, log, metrics } = recorder();
  const provider = new CredentialsProvider({
    read: async (secretId) => {
      store.reads++;
      store.secretIds.push(secretId);
      await Promise.resolve();
      if (store.answer instanceof Error) throw store.answer;
      return store.answer;
    },
    secretId: "spotify-search/credentials",
    ttlMs: options.ttlMs ?? 300_000,
    failureHoldMs: options.failureHoldMs,
    clock,
    log,
    metrics,
  });
  return { provider, clock, store, lines, counts };
}

const secretOf = (clientId: string, clientSecret = SECRET) =>
  JSON.stringify({ client_id: clientId, client_secret: clientSecret });

describe("CredentialsProvider: reading and keeping", () => {
  it("reads the secret named by its id once, and keeps it for the TTL", async () => {
    const { provider, clock, store, counts } = providerOver(secretOf("first"));

    await expect(provider.get()).resolves.toEqual({ clientId: "first", clientSecret: SECRET });
    clock.advance(299_999);
    await provider.get();

    expect(store.reads).toBe(1);
    expect(store.secretIds).toEqual(["spotify-search/credentials"]);
    expect(counts.get("SecretReads")).toBe(1);
  });

  it("reads again once the TTL has passed, and uses what it finds", async () => {
    const { provider, clock, store } = providerOver(secretOf("first"));
    await provider.get();
    store.answer = secretOf("rotated");

    clock.advance(300_000);

    await expect(provider.get()).resolves.toMatchObject({ clientId: "rotated" });
    expect(store.reads).toBe(2);
  });

  it("concurrent callers share one read", async () => {
    const { provider, store } = providerOver(secretOf("shared"));

    const all = await Promise.all(Array.from({ length: 5 }, () => provider.get()));

    expect(all.map((credentials) => credentials.clientId)).toEqual(Array(5).fill("shared"));
    expect(store.reads).toBe(1);
  });

  it("refresh reads again at once, within the TTL (Spotify said invalid_client)", async () => {
    const { provider, store } = providerOver(secretOf("old"));
    await provider.get();
    store.answer = secretOf("new");

    await expect(provider.refresh()).resolves.toMatchObject({ clientId: "new" });
    await expect(provider.get()).resolves.toMatchObject({ clientId: "new" });
    expect(store.reads).toBe(2);
  });
});

describe("CredentialsProvider: when the read fails", () => {
  it("turns a failure of Secrets Manager into a 502 that names the secret by its variable", async () => {
    const outage = new Error("connect ECONNREFUSED 127.0.0.1:4566");
    const { provider } = providerOver(outage);

    const error = await provider.get().catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(UpstreamError);
    expect(error).toMatchObject({
      status: 502,
      message: "Could not read the secret named by SPOTIFY_SECRET_ID from Secrets Manager",
      cause: outage,
    });
  });

  it("passes a configuration error on as it is", async () => {
    const { provider } = providerOver("not json");

    await expect(provider.get()).rejects.toThrow(
      new ConfigurationError("The value of the secret named by SPOTIFY_SECRET_ID is not JSON"),
    );
  });

  it("answers from memory for 5 s after a failed read, then reads again", async () => {
    const { provider, clock, store } = providerOver(new Error("throttled"));
    await expect(provider.get()).rejects.toThrow(UpstreamError);

    clock.advance(4_999);
    await expect(provider.get()).rejects.toThrow(UpstreamError);
    expect(store.reads).toBe(1);

    store.answer = secretOf("back");
    clock.advance(1);
    await expect(provider.get()).resolves.toMatchObject({ clientId: "back" });
    expect(store.reads).toBe(2);
  });

  it("holds a failure as long as failureHoldMs says", async () => {
    const { provider, clock, store } = providerOver(new Error("throttled"), {
      failureHoldMs: 60_000,
    });
    await provider.get().catch(() => undefined);

    clock.advance(59_999);
    await provider.get().catch(() => undefined);

    expect(store.reads).toBe(1);
  });

  it("uses the credentials in hand when Secrets Manager fails after the TTL, and logs that it did", async () => {
    const { provider, clock, store, lines } = providerOver(secretOf("kept"));
    await provider.get();
    store.answer = new Error("Service Unavailable");
    clock.advance(300_000);

    await expect(provider.get()).resolves.toMatchObject({ clientId: "kept" });

    expect(lines.at(-1)).toEqual({
      level: "error",
      message: "Reading Spotify credentials failed",
      details: [
        {
          error: "Could not read the secret named by SPOTIFY_SECRET_ID from Secrets Manager",
          keepingPreviousCredentials: true,
        },
      ],
    });
  });

  it("does not paper over a secret that became malformed", async () => {
    const { provider, clock, store, lines } = providerOver(secretOf("kept"));
    await provider.get();
    store.answer = JSON.stringify({ client_id: "only-an-id" });
    clock.advance(300_000);

    await expect(provider.get()).rejects.toThrow(ConfigurationError);
    expect(lines.at(-1)?.details[0]).toMatchObject({ keepingPreviousCredentials: false });
  });

  it("does not use on credentials Spotify rejected when the re-read fails", async () => {
    const { provider, store } = providerOver(secretOf("rejected"));
    await provider.get();
    store.answer = new Error("Service Unavailable");

    await expect(provider.refresh()).rejects.toThrow(UpstreamError);
    await expect(provider.get()).rejects.toThrow(UpstreamError);
  });

  it("never logs the client secret", async () => {
    const { provider, clock, store, lines } = providerOver(secretOf("id", SECRET));
    await provider.get();
    store.answer = `{"client_id":"id","client_secret":"${SECRET}"`;
    clock.advance(300_000);
    await provider.get().catch(() => undefined);

    expect(lines.length).toBeGreaterThan(1);
    expect(JSON.stringify(lines)).not.toContain(SECRET);
  });
});
