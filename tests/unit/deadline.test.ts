import { once } from "node:events";
import { beforeEach, describe, expect, it } from "vitest";
import type { Clock } from "../../lib/clock.ts";
import { API_GATEWAY_BUDGET_MS, Deadline } from "../../lib/deadline.ts";

const START = Date.parse("2026-11-26T13:00:00Z");
let t = START;
const clock: Clock = {
  now: () => t,
  sleep: async (ms) => {
    t += ms;
  },
};

beforeEach(() => {
  t = START;
});

describe("Deadline", () => {
  it("is the earlier of the Lambda deadline and API Gateway's cap, minus the margin", () => {
    expect(Deadline.fromRemaining(60_000, clock, { marginMs: 500, capMs: 29_000 }).at).toBe(
      START + 28_500,
    );
    expect(Deadline.fromRemaining(10_000, clock, { marginMs: 500, capMs: 29_000 }).at).toBe(
      START + 9_500,
    );
    expect(Deadline.fromRemaining(10_000, clock, { marginMs: 0 }).at).toBe(START + 10_000);
  });

  it("counts down with the clock and never below zero", async () => {
    const deadline = new Deadline(START + 1_000, clock);

    await clock.sleep(400);
    expect(deadline.remainingMs()).toBe(600);
    expect(deadline.allows(350, 250)).toBe(true);
    expect(deadline.allows(351, 250)).toBe(false);
    await clock.sleep(5_000);
    expect(deadline.remainingMs()).toBe(0);
    expect(deadline.allows(0)).toBe(true);
  });
});

describe("Deadline: a budget of its own for API Gateway", () => {
  it("keeps a second of API Gateway's 30 s for the answer to travel back", () => {
    expect(API_GATEWAY_BUDGET_MS).toBe(29_000);
    expect(
      Deadline.fromRemaining(900_000, clock, { marginMs: 0, capMs: API_GATEWAY_BUDGET_MS }).at,
    ).toBe(START + 29_000);
  });

  it("allows nothing more once the margin has eaten the budget", () => {
    const deadline = Deadline.fromRemaining(300, clock, { marginMs: 500 });

    expect(deadline.at).toBe(START - 200);
    expect(deadline.remainingMs()).toBe(0);
    expect(deadline.allows(1)).toBe(false);
  });
});

describe("Deadline.signal", () => {
  it("is not aborted while time is left", () => {
    const signal = new Deadline(START + 60_000, clock).signal();

    expect(signal.aborted).toBe(false);
  });

  it("aborts with a TimeoutError at once (1 ms) when the deadline has already passed", async () => {
    const deadline = new Deadline(START - 5_000, clock);

    const signal = deadline.signal();
    // Bounded: a signal that never fires fails the test in 1 s instead of hanging it.
    await once(signal, "abort", { signal: AbortSignal.timeout(1_000) });

    expect(signal.reason).toMatchObject({ name: "TimeoutError" });
  });
});
