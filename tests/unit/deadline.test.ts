import { beforeEach, describe, expect, it } from "vitest";
import type { Clock } from "../../lib/clock.ts";
import { Deadline } from "../../lib/deadline.ts";

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
