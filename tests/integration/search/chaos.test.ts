import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Fault, FaultEndpoint } from "../../../infra/local/emulator/types.ts";
import { lambdaContext } from "../../../infra/local/lambda-context.ts";
import { httpApiEvent } from "../../support/events.ts";
import { FakeClock } from "../../support/fake-clock.ts";
import { handlerWithClock } from "../../support/runtime.ts";
import { startTestStack, type TestStack } from "../../support/stack.ts";

/** Deterministic PRNG (mulberry32) so a failing run can be replayed from its seed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const FAULTS: Fault[] = [
  { kind: "rate-limit", retryAfter: "1" },
  { kind: "rate-limit", retryAfter: "3" },
  { kind: "rate-limit", retryAfter: "20" },
  { kind: "rate-limit", retryAfter: null },
  { kind: "rate-limit", retryAfter: "0" },
  { kind: "quota", retryAfter: 8 },
  { kind: "status", status: 500 },
  { kind: "status", status: 502 },
  { kind: "status", status: 503 },
  { kind: "status", status: 504 },
  { kind: "status", status: 403 },
  { kind: "status", status: 404 },
  { kind: "unauthorized" },
  { kind: "reset" },
  { kind: "hang" },
  { kind: "malformed-json" },
];

/** The answers lib/spotify/README.md's table allows, per upstream fault. */
const ALLOWED = new Set([200, 403, 404, 429, 502, 504]);
const DEFAULT_WAIT_MS = 5_000;

let stack: TestStack;
const clock = new FakeClock();
const seed = Number(process.env.CHAOS_SEED ?? Date.now() % 100_000);

beforeAll(async () => {
  stack = await startTestStack({
    emulator: { now: clock.now, tokenLifetimeSeconds: 600 },
    env: { UPSTREAM_TIMEOUT_MS: "150", RETRY_BASE_DELAY_MS: "50" },
  });
});
afterAll(() => stack.close());

describe(`chaos (seed ${seed})`, () => {
  it("every answer is a 200 or an error from the table, none hangs, and no request lands inside a Retry-After", async () => {
    const random = prng(seed);
    const { handler } = handlerWithClock(stack, clock, random);
    const answers: number[] = [];

    for (let i = 0; i < 300; i++) {
      if (random() < 0.35) {
        const fault = FAULTS[Math.floor(random() * FAULTS.length)] as Fault;
        const endpoint: FaultEndpoint = random() < 0.2 ? "token" : "search";
        stack.emulator.fault(endpoint, fault, 1 + Math.floor(random() * 3));
      }
      if (random() < 0.05) stack.emulator.revokeTokens();
      clock.advance(Math.floor(random() * 8_000));

      const started = Date.now();
      const result = await handler(
        httpApiEvent("q=chaos&type=track"),
        lambdaContext(29_000, clock.now),
      );
      expect(Date.now() - started).toBeLessThan(5_000);

      answers.push(result.statusCode);
      expect(ALLOWED).toContain(result.statusCode);
      if (result.statusCode !== 200) {
        const body = JSON.parse(result.body);
        expect(body.error.status).toBe(result.statusCode);
        expect(body.error.message).toEqual(expect.any(String));
      }
      if (result.statusCode === 429)
        expect(Number(result.headers["retry-after"])).toBeGreaterThan(0);
    }

    // No request from this container may arrive before a 429's Retry-After has run out.
    const requests = stack.emulator.requests;
    for (const [index, limited] of requests.entries()) {
      if (limited.status !== 429) continue;
      const seconds = Number(limited.retryAfter);
      const waitMs = seconds > 0 ? seconds * 1000 : DEFAULT_WAIT_MS;
      const early = requests
        .slice(index + 1)
        .filter((r) => r.receivedAt < limited.receivedAt + waitMs);
      expect(early, `request inside the Retry-After of the 429 at #${index}`).toEqual([]);
    }
    const tally: Record<number, number> = {};
    for (const status of answers) tally[status] = (tally[status] ?? 0) + 1;
    expect(
      answers.filter((status) => status === 200).length,
      JSON.stringify(tally),
    ).toBeGreaterThan(60);
  });
});
