import { CreateSecretCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { afterEach, describe, expect, it } from "vitest";
import { lambdaContext } from "../../../infra/local/lambda-context.ts";
import { secretReader } from "../../../lib/aws/secret-reader.ts";
import { noMetrics, silentLog } from "../../../lib/observability/types.ts";
import { CredentialsProvider } from "../../../lib/spotify/credentials-provider.ts";
import { httpApiEvent } from "../../support/events.ts";
import { FakeClock } from "../../support/fake-clock.ts";
import { TEST_CLIENT_ID, TEST_CLIENT_SECRET } from "../../support/leak-scan.ts";
import { handlerWithClock } from "../../support/runtime.ts";
import { adminSecrets, startTestStack, type TestStack } from "../../support/stack.ts";

let stack: TestStack | undefined;
afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

/** Arrival times (real ms) of the emulator's recorded requests, relative to the first. */
function arrivals(test: TestStack): number[] {
  const first = test.emulator.requests[0]?.receivedAt ?? 0;
  return test.emulator.requests.map((r) => r.receivedAt - first);
}

describe("after a cooldown one request goes first", () => {
  async function cooledDown(random: () => number = Math.random) {
    const clock = new FakeClock();
    stack = await startTestStack();
    const { handler } = handlerWithClock(stack, clock, random);
    stack.emulator.fault("search", { kind: "rate-limit", retryAfter: "30" });
    const limited = await handler(
      httpApiEvent("q=first&type=track"),
      lambdaContext(29_000, clock.now),
    );
    expect(limited.statusCode).toBe(429);
    clock.advance(31_000);
    stack.emulator.reset();
    const search = (q: string) =>
      handler(httpApiEvent(`q=${q}&type=track`), lambdaContext(29_000, clock.now));
    return { search, test: stack };
  }

  it("concurrent callers wait for the first request's answer instead of stampeding", async () => {
    const { search, test } = await cooledDown();
    test.emulator.fault("search", { kind: "delay", ms: 300 });

    const results = await Promise.all(["a", "b", "c", "d"].map(search));

    expect(results.map((r) => r.statusCode)).toEqual([200, 200, 200, 200]);
    const [, ...others] = arrivals(test);
    expect(others).toHaveLength(3);
    for (const at of others) expect(at).toBeGreaterThanOrEqual(300);
  });

  it("a 5xx answer to the first request keeps the others waiting for the next one", async () => {
    const { search, test } = await cooledDown(() => 0);
    test.emulator.fault("search", { kind: "status", status: 503 });
    test.emulator.fault("search", { kind: "delay", ms: 300 });

    const results = await Promise.all(["a", "b", "c"].map(search));

    expect(results.map((r) => r.statusCode)).toEqual([200, 200, 200]);
    expect(test.emulator.requests.map((r) => r.status)).toEqual([503, 200, 200, 200]);
    const [, second, ...rest] = arrivals(test);
    for (const at of rest) expect(at - (second ?? 0)).toBeGreaterThanOrEqual(300);
  });
});

describe("the secret read", () => {
  it("a failed read is held for 5 s, then tried again", async () => {
    const clock = new FakeClock();
    stack = await startTestStack({ secret: null });
    const credentials = new CredentialsProvider({
      read: secretReader(
        new SecretsManagerClient({ endpoint: stack.aws.endpoint, region: "us-east-1" }),
      ),
      secretId: stack.secretId,
      ttlMs: 300_000,
      clock,
      log: silentLog,
      metrics: noMetrics,
    });

    await expect(credentials.get()).rejects.toThrow(/does not exist/);
    await expect(credentials.get()).rejects.toThrow(/does not exist/);
    expect(stack.aws.count("secretsmanager.GetSecretValue")).toBe(1);

    await adminSecrets().send(
      new CreateSecretCommand({
        Name: stack.secretId,
        SecretString: JSON.stringify({
          client_id: TEST_CLIENT_ID,
          client_secret: TEST_CLIENT_SECRET,
        }),
      }),
    );
    clock.advance(5_001);
    await expect(credentials.get()).resolves.toMatchObject({ clientId: TEST_CLIENT_ID });
    expect(stack.aws.count("secretsmanager.GetSecretValue")).toBe(2);
  });

  it("concurrent readers share one GetSecretValue call", async () => {
    stack = await startTestStack();
    const credentials = new CredentialsProvider({
      read: secretReader(
        new SecretsManagerClient({ endpoint: stack.aws.endpoint, region: "us-east-1" }),
      ),
      secretId: stack.secretId,
      ttlMs: 300_000,
      clock: new FakeClock(),
      log: silentLog,
      metrics: noMetrics,
    });

    const all = await Promise.all(Array.from({ length: 10 }, () => credentials.get()));

    expect(new Set(all.map((c) => c.clientId))).toEqual(new Set([TEST_CLIENT_ID]));
    expect(stack.aws.count("secretsmanager.GetSecretValue")).toBe(1);
  });

  it("when Secrets Manager is unreachable after the TTL, the credentials in hand are used on", async () => {
    const clock = new FakeClock();
    stack = await startTestStack({
      emulator: { now: clock.now, tokenLifetimeSeconds: 600 },
      env: { SECRET_CACHE_TTL_SECONDS: "60" },
    });
    const { handler } = handlerWithClock(stack, clock);
    expect(
      (await handler(httpApiEvent("q=a&type=track"), lambdaContext(29_000, clock.now))).statusCode,
    ).toBe(200);

    await stack.aws.close();
    clock.advance(601_000);
    const result = await handler(httpApiEvent("q=a&type=track"), lambdaContext(29_000, clock.now));

    expect(result.statusCode).toBe(200);
    expect(stack.emulator.count("token")).toBe(2);
  });

  it("credentials Spotify rejected are not used on when the re-read fails", async () => {
    const clock = new FakeClock();
    stack = await startTestStack({ emulator: { now: clock.now } });
    const { handler } = handlerWithClock(stack, clock);
    await handler(httpApiEvent("q=a&type=track"), lambdaContext(29_000, clock.now));

    await stack.aws.close();
    stack.emulator.setClient("rotated-client", "rotated-secret-ffffff");
    stack.emulator.revokeTokens();
    const result = await handler(httpApiEvent("q=a&type=track"), lambdaContext(29_000, clock.now));

    expect(result.statusCode).toBe(502);
    expect(JSON.parse(result.body).error.message).toMatch(/Secrets Manager/);
  });
});
