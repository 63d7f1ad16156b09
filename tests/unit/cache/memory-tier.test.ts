import { describe, expect, it } from "vitest";
import type { CacheEntry } from "../../../lib/cache/cache-entry.ts";
import { MemoryTier } from "../../../lib/cache/memory-tier.ts";
import { FakeClock } from "../../support/fake-clock.ts";

function entry(clock: FakeClock, body: string, ttlMs = 1_000, staleMs = 1_000): CacheEntry {
  const now = clock.now();
  return { body, storedAt: now, freshUntil: now + ttlMs, staleUntil: now + ttlMs + staleMs };
}

describe("MemoryTier", () => {
  it("keeps an entry through its stale window and drops it after", () => {
    const clock = new FakeClock();
    const tier = new MemoryTier(1_000_000, clock);
    tier.set("a", entry(clock, "{}"));

    clock.advance(1_500);
    expect(tier.get("a")?.body).toBe("{}");
    clock.advance(600);
    expect(tier.get("a")).toBeUndefined();
  });

  it("stays within its byte bound, evicting the least recently used", () => {
    const clock = new FakeClock();
    const body = "x".repeat(10_000);
    const tier = new MemoryTier(50_000, clock);
    for (const key of ["a", "b"]) tier.set(key, entry(clock, body));
    tier.get("a");
    tier.set("c", entry(clock, body));

    expect(tier.get("a")).toBeDefined();
    expect(tier.get("b")).toBeUndefined();
    expect(tier.get("c")).toBeDefined();
  });

  it("does not keep an entry larger than its whole bound, nor anything with a bound of 0", () => {
    const clock = new FakeClock();
    const small = new MemoryTier(1_000, clock);
    small.set("big", entry(clock, "x".repeat(5_000)));
    expect(small.get("big")).toBeUndefined();

    const off = new MemoryTier(0, clock);
    off.set("a", entry(clock, "{}"));
    expect(off.get("a")).toBeUndefined();
  });
});
