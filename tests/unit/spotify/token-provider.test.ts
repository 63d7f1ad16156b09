import { describe, expect, it } from "vitest";
import { loadSpotifyConfig } from "../../../lib/config.ts";
import { Deadline } from "../../../lib/deadline.ts";
import { UpstreamError } from "../../../lib/errors.ts";
import { Cooldown } from "../../../lib/spotify/cooldown.ts";
import { CredentialsProvider } from "../../../lib/spotify/credentials-provider.ts";
import type { AttemptResult, Transport } from "../../../lib/spotify/http-transport.ts";
import { SpotifyCaller } from "../../../lib/spotify/spotify-caller.ts";
import { TokenProvider } from "../../../lib/spotify/token-provider.ts";
import { FakeClock } from "../../support/fake-clock.ts";
import { observed } from "../../support/observed.ts";
import { spotifyAnswer } from "../../support/spotify-answers.ts";

const ACCOUNTS = "https://accounts.spotify.com";
const settings = loadSpotifyConfig({ SPOTIFY_SECRET_ID: "s" }).retry;
const MARGIN = 60_000;
/** Distinctive enough that finding it in an error or a log line means it leaked. */
const SECRET = "s3cr3t-4b7d9e21aa";
const ROTATED = "r0t4t3d-88c1f0e3bb";

const token = (value: string, expiresIn = 3600) =>
  spotifyAnswer(200, { access_token: value, token_type: "Bearer", expires_in: expiresIn });
const invalidClient = spotifyAnswer(400, {
  error: "invalid_client",
  error_description: "Invalid client",
});

/**
 * A container's token provider with Spotify's token endpoint scripted attempt by attempt, and the
 * secret read from `secrets` in turn (the last one kept).
 */
function providerOf(script: AttemptResult[], secrets: string[] = [SECRET]) {
  const clock = new FakeClock();
  const seen = observed();
  const sentSecrets: string[] = [];
  let gate: Promise<void> | undefined;
  const transport: Transport = async (request) => {
    const basic = request.headers.authorization?.replace(/^Basic /, "") ?? "";
    sentSecrets.push(Buffer.from(basic, "base64").toString().split(":")[1] ?? "");
    await gate;
    const result = script[Math.min(sentSecrets.length, script.length) - 1];
    if (!result) throw new Error("Spotify was not expected to be called");
    return result;
  };
  let reads = 0;
  const credentials = new CredentialsProvider({
    read: async () => {
      const secret = secrets[Math.min(reads++, secrets.length - 1)];
      return JSON.stringify({ client_id: "id", client_secret: secret });
    },
    secretId: "spotify",
    ttlMs: 300_000,
    clock,
    log: seen.log,
    metrics: seen.metrics,
  });
  const caller = new SpotifyCaller({
    transport,
    clock,
    random: () => 0,
    settings,
    cooldown: new Cooldown(),
    log: seen.log,
    metrics: seen.metrics,
  });
  const tokens = new TokenProvider({
    caller,
    credentials,
    accountsUrl: ACCOUNTS,
    clock,
    expiryMarginMs: MARGIN,
    log: seen.log,
    metrics: seen.metrics,
  });
  return {
    tokens,
    clock,
    seen,
    sentSecrets,
    secretReads: () => reads,
    get: () => tokens.get(new Deadline(clock.now() + 20_000, clock)),
    /** Holds Spotify's answers until `release` is called. */
    hold: () => {
      let release = () => {};
      gate = new Promise<void>((resolve) => {
        release = resolve;
      });
      return release;
    },
  };
}

async function failure(promise: Promise<unknown>): Promise<UpstreamError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(UpstreamError);
    return error as UpstreamError;
  }
  throw new Error("expected the token request to fail");
}

describe("TokenProvider", () => {
  it("concurrent callers share one token request and one token", async () => {
    const { get, hold, sentSecrets } = providerOf([token("t1"), token("t2")]);
    const release = hold();

    const waiting = Promise.all([get(), get(), get()]);
    await new Promise((resolve) => setImmediate(resolve));
    release();

    expect(await waiting).toEqual(["t1", "t1", "t1"]);
    expect(sentSecrets).toHaveLength(1);
  });

  it("keeps the token until its margin before expiry, then fetches a new one", async () => {
    const { get, clock, sentSecrets, seen } = providerOf([token("t1"), token("t2")]);
    await get();

    clock.advance(3_600_000 - MARGIN - 1);
    const kept = await get();
    clock.advance(1);
    const renewed = await get();

    expect(kept).toBe("t1");
    expect(renewed).toBe("t2");
    expect(sentSecrets).toHaveLength(2);
    expect(seen.count("TokenRefreshes")).toBe(2);
  });

  it("keeps at least half of a short lifetime, rather than fetching on every call", async () => {
    const { get, clock, sentSecrets } = providerOf([token("t1", 60), token("t2", 60)]);
    await get();

    clock.advance(29_999);

    expect(await get()).toBe("t1");
    expect(sentSecrets).toHaveLength(1);
  });

  it("after invalid_client, reads the secret again once and retries with the new credentials", async () => {
    const { get, sentSecrets, secretReads } = providerOf(
      [invalidClient, token("t1")],
      [SECRET, ROTATED],
    );

    expect(await get()).toBe("t1");
    expect(sentSecrets).toEqual([SECRET, ROTATED]);
    expect(secretReads()).toBe(2);
  });

  it("a second invalid_client fails 502 as our own rejected credentials, the secret read only once more", async () => {
    const { get, sentSecrets, secretReads, seen } = providerOf(
      [invalidClient, invalidClient, token("t1")],
      [SECRET, ROTATED],
    );

    const error = await failure(get());

    expect(error).toMatchObject({
      status: 502,
      upstreamStatus: 400,
      ownFailure: "credentials-rejected",
    });
    expect(sentSecrets).toHaveLength(2);
    expect(secretReads()).toBe(2);
    const told = JSON.stringify([error.message, String(error), seen.lines]);
    expect(told).not.toContain(SECRET);
    expect(told).not.toContain(ROTATED);
  });

  it.each([
    [400, { error: "invalid_grant" }],
    [401, { error: "unauthorized_client" }],
    [403, { error: { status: 403, message: "Forbidden" } }],
  ])(
    "a token endpoint's %i is our own rejected credentials, answered 502 without retry",
    async (status, body) => {
      const { get, sentSecrets, secretReads } = providerOf([
        spotifyAnswer(status, body),
        token("t1"),
      ]);

      const error = await failure(get());

      expect(error).toMatchObject({
        status: 502,
        upstreamStatus: status,
        ownFailure: "credentials-rejected",
      });
      expect(sentSecrets).toHaveLength(1);
      expect(secretReads()).toBe(1);
    },
  );

  it.each([500, 503, 501])(
    "a token endpoint's %i is Spotify's trouble, not our credentials",
    async (status) => {
      const { get } = providerOf([spotifyAnswer(status, { error: "server_error" })]);

      const error = await failure(get());

      expect(error.status).toBe(502);
      expect(error.upstreamStatus).toBe(status);
      expect(error.ownFailure).toBeUndefined();
    },
  );

  it("a 200 that is not a bearer token fails 502, and the next caller asks again", async () => {
    const notBearer = spotifyAnswer(200, {
      access_token: "t",
      token_type: "mac",
      expires_in: 3600,
    });
    const { get, sentSecrets } = providerOf([notBearer, token("t2")]);

    await expect(get()).rejects.toMatchObject({ status: 502 });
    expect(await get()).toBe("t2");
    expect(sentSecrets).toHaveLength(2);
  });

  it("forgets a token Spotify refused, but not a newer one fetched meanwhile", async () => {
    const { tokens, get, clock } = providerOf([token("t1"), token("t2")]);
    await get();

    tokens.invalidate("older");
    const kept = await get();
    tokens.invalidate("t1");
    const renewed = await get();

    expect(kept).toBe("t1");
    expect(renewed).toBe("t2");
    expect(clock.sleeps).toEqual([]);
  });
});
