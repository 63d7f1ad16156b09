import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { lambdaContext } from "../../../infra/local/lambda-context.ts";
import { coldSearchHandler } from "../../support/container.ts";
import {
  type ContainerProcess,
  startContainerProcess,
} from "../../support/container-process-host.ts";
import { httpApiEvent } from "../../support/events.ts";
import { MOTO_TABLE_TIMEOUTS, motoTables } from "../../support/shared-tables.ts";
import { startTestStack, type TestStack } from "../../support/stack.ts";

let stack: TestStack;
const tables = motoTables("fleet");
const running: ContainerProcess[] = [];

beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(() => stack.close());
afterEach(async () => {
  stack.emulator.reset();
  await Promise.all(running.splice(0).map((container) => container.stop()));
});

async function fleetEnv(withTable = true): Promise<Record<string, string>> {
  const env = {
    ...stack.env,
    CACHE_TTL_SECONDS: "600",
    ...MOTO_TABLE_TIMEOUTS,
  };
  if (!withTable) return env;
  const table = await tables.fresh();
  return { ...env, CACHE_TABLE_NAME: table };
}

/** Two containers, each a process of its own, as Lambda runs them. */
async function twoProcesses(env: Record<string, string>) {
  const [a, b] = await Promise.all([startContainerProcess(env), startContainerProcess(env)]);
  running.push(a, b);
  return [a, b] as const;
}

/** Two containers as separate module scopes in this process: the same code, started faster. */
async function twoContainers(env: Record<string, string>) {
  const container = async () => {
    const handler = await coldSearchHandler(env);
    return { invoke: (event: unknown) => handler(event, lambdaContext()) };
  };
  return [await container(), await container()] as const;
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const search = (q: string) => httpApiEvent(`q=${q}&type=track`);

describe("a 429 one container receives reaches the whole fleet", () => {
  it("Retry-After: 20 to container A → container B, 200 ms later, answers 429 without calling Spotify", async () => {
    const [a, b] = await twoProcesses(await fleetEnv());
    stack.emulator.fault("search", { kind: "rate-limit", retryAfter: "20" }, 1);

    const first = await a.invoke(search("first"));
    await pause(200);
    const before = stack.emulator.requests.length;
    const second = await b.invoke(search("second"));

    expect(first.statusCode).toBe(429);
    expect(second.statusCode).toBe(429);
    const retryAfter = Number(second.headers["retry-after"]);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(20);
    expect(stack.emulator.requests.length).toBe(before);
  });

  it("the daily quota: B's 429 carries the reason QUOTA_EXCEEDED", async () => {
    const [a, b] = await twoContainers(await fleetEnv());
    stack.emulator.fault("search", { kind: "quota", retryAfter: 50_000 }, 1);

    await a.invoke(search("first"));
    await pause(200);
    const before = stack.emulator.requests.length;
    const second = await b.invoke(search("second"));

    expect(second.statusCode).toBe(429);
    expect(JSON.parse(second.body).error.reason).toBe("QUOTA_EXCEEDED");
    expect(Number(second.headers["retry-after"])).toBeGreaterThan(49_000);
    expect(stack.emulator.requests.length).toBe(before);
  });

  it("without the table, B knows nothing of A's 429 and calls Spotify as today", async () => {
    const [a, b] = await twoContainers(await fleetEnv(false));
    stack.emulator.fault("search", { kind: "rate-limit", retryAfter: "20" }, 1);

    await a.invoke(search("first"));
    await pause(200);
    const second = await b.invoke(search("second"));

    expect(second.statusCode).toBe(200);
    expect(stack.emulator.count("search")).toBe(2);
  });

  it("a cached question keeps answering 200 during the fleet's window", async () => {
    const [a, b] = await twoContainers(await fleetEnv());
    await a.invoke(search("cached"));
    stack.emulator.fault("search", { kind: "rate-limit", retryAfter: "20" }, 1);
    await a.invoke(search("uncached"));

    const cached = await b.invoke(search("cached"));

    expect(cached.statusCode).toBe(200);
    expect(cached.headers["cache-status"]).toMatch(/; hit;/);
  });
});

describe("after the window", () => {
  it("with several containers waiting, exactly one request reaches Spotify first", async () => {
    const env = await fleetEnv();
    const fleet = [];
    for (let i = 0; i < 4; i++) fleet.push(await coldSearchHandler(env));
    // Warm containers: token, secret and table connection in hand.
    for (const [i, handler] of fleet.entries()) await handler(search(`warm-${i}`), lambdaContext());
    stack.emulator.reset();
    stack.emulator.fault("search", { kind: "rate-limit", retryAfter: "2" }, 1);
    // The first request after the window is slow, so a second one at the same time would show.
    stack.emulator.fault("search", { kind: "delay", ms: 400 }, 1);

    const [a, ...waiting] = fleet;
    if (!a) throw new Error("no container");
    const first = a(search("waiting-0"), lambdaContext());
    for (let i = 0; i < 50 && stack.emulator.count("search") === 0; i++) await pause(20);
    await pause(200);
    const answers = await Promise.all([
      first,
      ...waiting.map((handler, i) => handler(search(`waiting-${i + 1}`), lambdaContext())),
    ]);

    expect(answers.map((r) => r.statusCode)).toEqual([200, 200, 200, 200]);
    const sent = stack.emulator.requests.filter((r) => r.endpoint === "search");
    const limited = sent.find((r) => r.status === 429);
    const after = sent.filter((r) => r.receivedAt > (limited?.receivedAt ?? 0));
    expect(after).toHaveLength(4);
    const [probe, ...others] = after.sort((x, y) => x.receivedAt - y.receivedAt);
    const probeAt = probe?.receivedAt ?? Number.NaN;
    expect(probeAt - (limited?.receivedAt ?? Number.NaN)).toBeGreaterThanOrEqual(2_000);
    // Nobody else went until the probe's (slow) answer came back.
    for (const other of others) expect(other.receivedAt - probeAt).toBeGreaterThanOrEqual(400);
  });
});
