import { describe, expect, it } from "vitest";
import {
  MAX_WRITE_RESERVE_MS,
  MIN_WRITE_RESERVE_MS,
  minTimeToStartMs,
  writeReserveMs,
} from "../../../lib/batch/collect.ts";

describe("writeReserveMs: the time kept back for finishing the results upload", () => {
  it.each([
    [299_500, 0, MAX_WRITE_RESERVE_MS],
    [20_000, 0, 2_000],
    [3_000, 0, 300],
    [2_000, 0, MIN_WRITE_RESERVE_MS],
    [300, 0, 150],
    [0, 0, 0],
  ])("a budget of %i ms (last finish %i ms) keeps %i ms", (budget, lastFinish, reserve) => {
    expect(writeReserveMs(budget, lastFinish)).toBe(reserve);
  });

  it("keeps twice what the last finish took, up to the cap and half the budget", () => {
    expect(writeReserveMs(20_000, 1_200)).toBe(2_400);
    expect(writeReserveMs(60_000, 5_000)).toBe(MAX_WRITE_RESERVE_MS);
    expect(writeReserveMs(3_000, 5_000)).toBe(1_500);
  });
});

describe("minTimeToStartMs: what a search must have left to start", () => {
  it("is a quarter of the search budget, from 250 ms to 1 s", () => {
    expect(minTimeToStartMs(296_500)).toBe(1_000);
    expect(minTimeToStartMs(2_000)).toBe(500);
    expect(minTimeToStartMs(400)).toBe(250);
  });
});
