import { describe, expect, it } from "vitest";
import { Cooldown } from "../../../lib/spotify/cooldown.ts";

const START = Date.parse("2026-11-26T13:00:00Z");

describe("Cooldown", () => {
  it("extends but never shortens", () => {
    const cooldown = new Cooldown();
    cooldown.extend(START + 5_000);
    cooldown.extend(START + 1_000, "QUOTA_EXCEEDED");

    expect(cooldown.remainingMs(START)).toBe(5_000);
    expect(cooldown.reasonAt(START)).toBeUndefined();
  });

  it("keeps the reason of the longest cooldown and forgets it once over", () => {
    const cooldown = new Cooldown();
    cooldown.extend(START + 5_000, "QUOTA_EXCEEDED");

    expect(cooldown.reasonAt(START + 4_999)).toBe("QUOTA_EXCEEDED");
    expect(cooldown.remainingMs(START + 5_000)).toBe(0);
    expect(cooldown.reasonAt(START + 5_000)).toBeUndefined();
  });
});
