import { describe, expect, it } from "vitest";
import { parseRetryAfterMs } from "../../../lib/spotify/retry-after.ts";

const NOW = Date.parse("2026-11-26T13:00:00Z");

describe("parseRetryAfterMs", () => {
  it.each([
    ["1", 1_000],
    ["4", 4_000],
    ["86400", 86_400_000],
    ["01", 1_000],
    [" 3 ", 3_000],
    ["1.5", 1_500],
    ["0.001", 1],
    ["0.0001", 1],
    ["2.0", 2_000],
  ])("reads delta-seconds %j as %d ms", (value, ms) => {
    expect(parseRetryAfterMs(value, NOW)).toBe(ms);
  });

  it.each(["0", "0.0", "00", " 0 "])("reads %j as no usable value", (value) => {
    expect(parseRetryAfterMs(value, NOW)).toBeUndefined();
  });

  it.each(["-1", "-0.5", "+5", "1e3", "0x10", "1,5", ".5", "1.", "Infinity", "NaN"])(
    "reads the malformed number %j as no usable value",
    (value) => {
      expect(parseRetryAfterMs(value, NOW)).toBeUndefined();
    },
  );

  it.each(["", "   ", "soon", "five", "now", "5 seconds", "Mon", "\u0000"])(
    "reads garbage %j as no usable value",
    (value) => {
      expect(parseRetryAfterMs(value, NOW)).toBeUndefined();
    },
  );

  it.each([null, undefined])("reads a missing header (%j) as no usable value", (value) => {
    expect(parseRetryAfterMs(value, NOW)).toBeUndefined();
  });

  it("reads an HTTP date in the future as the time until then", () => {
    expect(parseRetryAfterMs("Thu, 26 Nov 2026 13:00:30 GMT", NOW)).toBe(30_000);
  });

  it("reads an HTTP date now or in the past as no usable value", () => {
    expect(parseRetryAfterMs("Thu, 26 Nov 2026 13:00:00 GMT", NOW)).toBeUndefined();
    expect(parseRetryAfterMs("Wed, 21 Oct 2015 07:28:00 GMT", NOW)).toBeUndefined();
  });

  it("reads a date-looking number without letters as no usable value", () => {
    expect(parseRetryAfterMs("2026-11-27", NOW)).toBeUndefined();
  });

  it("keeps a huge delta as a huge wait (the policy caps it, not the parser)", () => {
    expect(parseRetryAfterMs("99999999", NOW)).toBe(99_999_999_000);
  });
});
