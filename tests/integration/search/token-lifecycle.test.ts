import { afterEach, describe, expect, it } from "vitest";
import { lambdaContext } from "../../../infra/local/lambda-context.ts";
import { coldSearchHandler } from "../../support/container.ts";
import { httpApiEvent } from "../../support/events.ts";
import { FakeClock } from "../../support/fake-clock.ts";
import { handlerWithClock } from "../../support/runtime.ts";
import { startTestStack, type TestStack } from "../../support/stack.ts";

const GET_SECRET = "secretsmanager.GetSecretValue";
const search = () => httpApiEvent("q=Nina%20Simone&type=artist,track");
let stack: TestStack | undefined;

afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

describe("credentials and token live in module scope", () => {
  it("50 sequential warm invocations make 1 token request and 1 GetSecretValue call", async () => {
    stack = await startTestStack();
    const handler = await coldSearchHandler(stack.env);

    const statuses: number[] = [];
    for (let i = 0; i < 50; i++)
      statuses.push((await handler(search(), lambdaContext())).statusCode);

    expect(statuses.every((status) => status === 200)).toBe(true);
    expect(stack.emulator.count("token")).toBe(1);
    expect(stack.emulator.count("search")).toBe(50);
    expect(stack.aws.count(GET_SECRET)).toBe(1);
  });

  it("20 concurrent searches on a cold container make exactly 1 token request", async () => {
    stack = await startTestStack();
    const handler = await coldSearchHandler(stack.env);

    const results = await Promise.all(
      Array.from({ length: 20 }, () => handler(search(), lambdaContext())),
    );

    expect(results.map((r) => r.statusCode)).toEqual(Array(20).fill(200));
    expect(stack.emulator.count("token")).toBe(1);
    expect(stack.aws.count(GET_SECRET)).toBe(1);
  });

  it("a token with expires_in 2 used over 5 s is refreshed before Spotify ever answers 401", async () => {
    const clock = new FakeClock();
    stack = await startTestStack({ emulator: { tokenLifetimeSeconds: 2, now: clock.now } });
    const { handler } = handlerWithClock(stack, clock);

    const statuses: number[] = [];
    for (let elapsed = 0; elapsed <= 5_000; elapsed += 250) {
      statuses.push((await handler(search(), lambdaContext(29_000, clock.now))).statusCode);
      clock.advance(250);
    }

    expect(statuses.every((status) => status === 200)).toBe(true);
    expect(stack.emulator.requests.filter((r) => r.status === 401)).toHaveLength(0);
    expect(stack.emulator.count("token")).toBeGreaterThanOrEqual(3);
    expect(stack.emulator.count("token")).toBeLessThanOrEqual(6);
  });

  it("a token refresh inside the secret's TTL reuses the cached secret", async () => {
    const clock = new FakeClock();
    stack = await startTestStack({ emulator: { now: clock.now, tokenLifetimeSeconds: 120 } });
    const { handler } = handlerWithClock(stack, clock);

    await handler(search(), lambdaContext(29_000, clock.now));
    clock.advance(121_000);
    await handler(search(), lambdaContext(29_000, clock.now));

    expect(stack.emulator.count("token")).toBe(2);
    expect(stack.aws.count(GET_SECRET)).toBe(1);
  });

  it("a token refresh after the secret's TTL reads the secret again", async () => {
    const clock = new FakeClock();
    stack = await startTestStack({
      emulator: { now: clock.now, tokenLifetimeSeconds: 120 },
      env: { SECRET_CACHE_TTL_SECONDS: "60" },
    });
    const { handler } = handlerWithClock(stack, clock);

    await handler(search(), lambdaContext(29_000, clock.now));
    clock.advance(121_000);
    await handler(search(), lambdaContext(29_000, clock.now));

    expect(stack.emulator.count("token")).toBe(2);
    expect(stack.aws.count(GET_SECRET)).toBe(2);
  });

  it("a token revoked by Spotify is refreshed and the search retried: 200, 2 token requests", async () => {
    stack = await startTestStack();
    const handler = await coldSearchHandler(stack.env);
    await handler(search(), lambdaContext());

    stack.emulator.revokeTokens();
    const result = await handler(search(), lambdaContext());

    expect(result.statusCode).toBe(200);
    expect(stack.emulator.count("token")).toBe(2);
    expect(
      stack.emulator.requests.filter((r) => r.endpoint === "search").map((r) => r.status),
    ).toEqual([200, 401, 200]);
  });

  it("a second 401 in a row becomes a clear 502", async () => {
    stack = await startTestStack();
    const handler = await coldSearchHandler(stack.env);
    stack.emulator.fault("search", { kind: "unauthorized" }, 2);

    const result = await handler(search(), lambdaContext());

    expect(result.statusCode).toBe(502);
    expect(JSON.parse(result.body).error.message).toMatch(/access token/);
    expect(stack.emulator.count("search")).toBe(2);
    expect(stack.emulator.count("token")).toBe(2);
  });

  it("reacts to the legacy 401 messages exactly as to the 2026 ones (keyed on the status)", async () => {
    stack = await startTestStack({ emulator: { legacy401Messages: true } });
    const handler = await coldSearchHandler(stack.env);
    await handler(search(), lambdaContext());
    stack.emulator.revokeTokens();

    const result = await handler(search(), lambdaContext());

    expect(result.statusCode).toBe(200);
    expect(stack.emulator.count("token")).toBe(2);
  });

  it("a secret rotated in Secrets Manager is read again by the warm container after invalid_client", async () => {
    stack = await startTestStack();
    const handler = await coldSearchHandler(stack.env);
    expect((await handler(search(), lambdaContext())).statusCode).toBe(200);

    const rotated = { client_id: "rotated-client", client_secret: "rotated-secret-a1b2c3" };
    await stack.putSecret(JSON.stringify(rotated));
    stack.emulator.setClient(rotated.client_id, rotated.client_secret);
    stack.emulator.revokeTokens();
    const result = await handler(search(), lambdaContext());

    expect(result.statusCode).toBe(200);
    expect(stack.aws.count(GET_SECRET)).toBe(2);
    const tokenStatuses = stack.emulator.requests
      .filter((r) => r.endpoint === "token")
      .map((r) => r.status);
    expect(tokenStatuses).toEqual([200, 400, 200]);
  });

  it("credentials Spotify keeps rejecting after a re-read → 502 naming the secret, one re-read only", async () => {
    stack = await startTestStack();
    const handler = await coldSearchHandler(stack.env);
    stack.emulator.setClient("someone-else", "another-secret");

    const result = await handler(search(), lambdaContext());

    expect(result.statusCode).toBe(502);
    expect(JSON.parse(result.body).error.message).toMatch(/SPOTIFY_SECRET_ID.*invalid_client/);
    expect(stack.aws.count(GET_SECRET)).toBe(2);
    expect(stack.emulator.count("token")).toBe(2);
  });

  it("a failed token request is not cached: the next invocation fetches a token again", async () => {
    stack = await startTestStack({ env: { RETRY_MAX_ATTEMPTS: "1" } });
    const handler = await coldSearchHandler(stack.env);
    stack.emulator.fault("token", { kind: "status", status: 500 });

    const first = await handler(search(), lambdaContext());
    const second = await handler(search(), lambdaContext());

    expect(first.statusCode).toBe(502);
    expect(second.statusCode).toBe(200);
    expect(stack.emulator.count("token")).toBe(2);
  });
});

describe("a broken secret or setting is a clear 500 that never shows the value", () => {
  it("a secret that does not exist", async () => {
    stack = await startTestStack({ secret: null });
    const handler = await coldSearchHandler(stack.env);

    const result = await handler(search(), lambdaContext());

    expect(result.statusCode).toBe(500);
    expect(JSON.parse(result.body).error.message).toMatch(/SPOTIFY_SECRET_ID.*does not exist/);
    expect(stack.emulator.count()).toBe(0);
  });

  it("a failed secret read is not retried in a hot loop", async () => {
    stack = await startTestStack({ secret: null });
    const handler = await coldSearchHandler(stack.env);

    for (let i = 0; i < 10; i++) await handler(search(), lambdaContext());

    expect(stack.aws.count(GET_SECRET)).toBe(1);
  });

  it.each([
    ["not JSON", "client_id=abc;client_secret=hunter2-not-json", /not JSON/],
    ["not an object", '["hunter2-array"]', /JSON object/],
    ["missing client_secret", '{"client_id":"abc"}', /client_secret/],
    ["empty client_id", '{"client_id":"","client_secret":"hunter2-empty"}', /client_id/],
  ])("a secret value that is %s", async (_name, value, message) => {
    stack = await startTestStack({ secret: value });
    const handler = await coldSearchHandler(stack.env);

    const result = await handler(search(), lambdaContext());

    expect(result.statusCode).toBe(500);
    expect(result.body).toMatch(message);
    expect(result.body).not.toMatch(/hunter2|abc/);
    expect(stack.emulator.count()).toBe(0);
  });

  it("a malformed setting names the variable", async () => {
    stack = await startTestStack({ env: { SPOTIFY_MAX_LIMIT: "lots" } });
    const handler = await coldSearchHandler(stack.env);

    const result = await handler(search(), lambdaContext());

    expect(result.statusCode).toBe(500);
    expect(JSON.parse(result.body).error.message).toMatch(/SPOTIFY_MAX_LIMIT/);
    expect(result.body).not.toMatch(/lots/);
  });
});
