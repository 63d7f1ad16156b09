import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type Emulator, startEmulator } from "../../../infra/local/emulator/server.ts";
import {
  basic,
  CLIENT_ID,
  CLIENT_SECRET,
  fakeClock,
  json,
  type OAuthError,
  requestToken,
  search,
  type TokenBody,
} from "./helpers.ts";

const clock = fakeClock();
let emulator: Emulator;

beforeAll(async () => {
  emulator = await startEmulator({ now: clock.now });
});
afterAll(() => emulator.close());
beforeEach(() => emulator.reset());

async function oauthError(response: Response) {
  return { status: response.status, body: await response.json() };
}

describe("POST /api/token with valid client credentials", () => {
  it("answers a Bearer token with the configured lifetime as application/json", async () => {
    // Prepare: default credentials in a Basic header.
    // Act
    const response = await requestToken(emulator);
    // Assess
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/json");
    const body = await json<TokenBody>(response);
    expect(Object.keys(body).sort()).toEqual(["access_token", "expires_in", "token_type"]);
    expect(body).toMatchObject({ token_type: "Bearer", expires_in: 3600 });
    expect(body.access_token).toMatch(/^[A-Za-z0-9_-]{20,}$/);
  });

  it("accepts client_id and client_secret in the form body instead of a Basic header", async () => {
    // Prepare
    const body = `grant_type=client_credentials&client_id=${CLIENT_ID}&client_secret=${CLIENT_SECRET}`;
    // Act
    const response = await requestToken(emulator, { authorization: "", body });
    // Assess
    expect(response.status).toBe(200);
  });

  it("mints a new token per call and keeps the older ones valid", async () => {
    // Prepare
    const first = (await json<TokenBody>(await requestToken(emulator))).access_token;
    // Act
    const second = (await json<TokenBody>(await requestToken(emulator))).access_token;
    // Assess
    expect(second).not.toBe(first);
    expect((await search(emulator, "q=a&type=artist", first)).status).toBe(200);
    expect((await search(emulator, "q=a&type=artist", second)).status).toBe(200);
  });

  it("expires tokens by the emulator clock after expires_in seconds", async () => {
    // Prepare
    emulator.setTokenLifetime(60);
    const response = await requestToken(emulator);
    const body = await json<TokenBody>(response);
    // Act
    clock.advance(59_999);
    const before = await search(emulator, "q=a&type=artist", body.access_token);
    clock.advance(1);
    const after = await search(emulator, "q=a&type=artist", body.access_token);
    // Assess
    expect(body.expires_in).toBe(60);
    expect(before.status).toBe(200);
    expect(after.status).toBe(401);
  });
});

describe("POST /api/token errors are flat OAuth JSON with status 400", () => {
  const invalidClient = { error: "invalid_client", error_description: "Invalid client" };
  const invalidSecret = { error: "invalid_client", error_description: "Invalid client secret" };

  it.each([
    [
      "an unknown client id",
      { authorization: basic("someone-else", CLIENT_SECRET) },
      invalidClient,
    ],
    ["a Basic header that is not base64 id:secret", { authorization: "Basic !!!" }, invalidClient],
    [
      "a Basic header without a colon",
      { authorization: `Basic ${btoa("nocolon")}` },
      invalidClient,
    ],
    ["a Bearer header", { authorization: "Bearer abc" }, invalidClient],
    ["no credentials at all", { authorization: "" }, invalidClient],
    ["a wrong secret", { authorization: basic(CLIENT_ID, "wrong") }, invalidSecret],
  ])("answers invalid_client for %s", async (_name, call, expected) => {
    // Prepare: the call in the table.
    // Act
    const response = await requestToken(emulator, call);
    // Assess
    expect(await oauthError(response)).toEqual({ status: 400, body: expected });
    expect(response.headers.get("content-type")).toBe("application/json");
  });

  it("answers unsupported_grant_type when grant_type is missing", async () => {
    // Prepare / Act
    const response = await requestToken(emulator, { body: "" });
    // Assess
    expect(await oauthError(response)).toEqual({
      status: 400,
      body: {
        error: "unsupported_grant_type",
        error_description: "grant_type parameter is missing",
      },
    });
  });

  it("answers unsupported_grant_type for any other grant type", async () => {
    // Prepare / Act
    const response = await requestToken(emulator, { body: "grant_type=password" });
    // Assess
    expect(await oauthError(response)).toEqual({
      status: 400,
      body: {
        error: "unsupported_grant_type",
        error_description:
          "grant_type must be client_credentials, authorization_code or refresh_token",
      },
    });
  });

  it("reads only form bodies, so a JSON body has no grant_type", async () => {
    // Prepare
    const call = { contentType: "application/json", body: '{"grant_type":"client_credentials"}' };
    // Act
    const response = await requestToken(emulator, call);
    // Assess
    expect((await json<OAuthError>(response)).error_description).toBe(
      "grant_type parameter is missing",
    );
  });

  it("answers 405 to a GET", async () => {
    // Prepare / Act
    const response = await fetch(`${emulator.accountsUrl}/api/token`);
    // Assess
    expect(response.status).toBe(405);
    expect(response.headers.get("allow")).toBe("POST");
  });
});

describe("credential rotation", () => {
  it("rejects the old secret with Invalid client secret and accepts the new one", async () => {
    // Prepare
    emulator.setClient(CLIENT_ID, "rotated-secret");
    // Act
    const old = await requestToken(emulator);
    const rotated = await requestToken(emulator, {
      authorization: basic(CLIENT_ID, "rotated-secret"),
    });
    // Assess
    expect((await json<OAuthError>(old)).error_description).toBe("Invalid client secret");
    expect(rotated.status).toBe(200);
  });

  it("keeps tokens issued before the rotation valid", async () => {
    // Prepare
    const before = (await json<TokenBody>(await requestToken(emulator))).access_token;
    // Act
    emulator.setClient("new-id", "new-secret");
    const response = await search(emulator, "q=a&type=artist", before);
    // Assess
    expect(response.status).toBe(200);
  });

  it("restores the start credentials on reset", async () => {
    // Prepare
    emulator.setClient("new-id", "new-secret");
    // Act
    emulator.reset();
    const response = await requestToken(emulator);
    // Assess
    expect(response.status).toBe(200);
  });
});
