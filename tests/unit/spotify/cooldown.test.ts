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

describe("Cooldown: the reason for the same end", () => {
  it("a reason given for the same end as the running cooldown is kept", () => {
    const cooldown = new Cooldown();
    cooldown.extend(START + 5_000);

    cooldown.extend(START + 5_000, "QUOTA_EXCEEDED");

    expect(cooldown.reasonAt(START)).toBe("QUOTA_EXCEEDED");
  });

  it("a later end without a reason drops the earlier reason", () => {
    const cooldown = new Cooldown();
    cooldown.extend(START + 5_000, "QUOTA_EXCEEDED");

    cooldown.extend(START + 9_000);

    expect(cooldown.remainingMs(START)).toBe(9_000);
    expect(cooldown.reasonAt(START)).toBeUndefined();
  });
});

describe("Cooldown: one request goes first after a 429", () => {
  it("needs no probe while Spotify has never limited this container", () => {
    const cooldown = new Cooldown();

    expect(cooldown.startProbe()).toBeUndefined();
    expect(cooldown.probeInFlight()).toBeUndefined();
  });

  it("makes the first caller after a cooldown the probe, and no one else", () => {
    const cooldown = new Cooldown();
    cooldown.extend(START + 1_000);

    const endProbe = cooldown.startProbe();

    expect(endProbe).toBeTypeOf("function");
    expect(cooldown.startProbe()).toBeUndefined();
    expect(cooldown.probeInFlight()).toBeInstanceOf(Promise);
  });

  it("lets the waiting callers go once the probe ends", async () => {
    const cooldown = new Cooldown();
    cooldown.extend(START + 1_000);
    const endProbe = cooldown.startProbe();
    const waiting = cooldown.probeInFlight();
    let released = false;
    void waiting?.then(() => {
      released = true;
    });
    await Promise.resolve();
    expect(released).toBe(false);

    endProbe?.();
    await waiting;

    expect(released).toBe(true);
    expect(cooldown.probeInFlight()).toBeUndefined();
  });

  it("sends another probe when the first ended without a success (a 5xx, a fault)", () => {
    const cooldown = new Cooldown();
    cooldown.extend(START + 1_000);
    cooldown.startProbe()?.();

    expect(cooldown.startProbe()).toBeTypeOf("function");
  });

  it("needs no probe after Spotify answered without a 429, until the next 429", () => {
    const cooldown = new Cooldown();
    cooldown.extend(START + 1_000);
    cooldown.startProbe()?.();

    cooldown.recordSuccess();

    expect(cooldown.startProbe()).toBeUndefined();
    cooldown.extend(START + 2_000);
    expect(cooldown.startProbe()).toBeTypeOf("function");
  });
});
