import { describe, expect, it } from "vitest";
import { asRecord, isRecord } from "../../lib/records.ts";

describe("isRecord", () => {
  it.each([
    ["an object", { a: 1 }],
    ["an empty object", {}],
    ["an array", [1, 2]],
    ["an object with no prototype", Object.create(null)],
  ])("is true for %s", (_name, value) => {
    expect(isRecord(value)).toBe(true);
  });

  it.each([
    ["null", null],
    ["undefined", undefined],
    ["a string", "text"],
    ["a number", 42],
    ["a boolean", true],
    ["a function", () => ({})],
  ])("is false for %s", (_name, value) => {
    expect(isRecord(value)).toBe(false);
  });
});

describe("asRecord", () => {
  it("gives an object back as it is, so its fields can be read", () => {
    const value = { time: "2026-11-26T13:00:00Z", id: "a" };

    expect(asRecord(value)).toBe(value);
    expect(asRecord(value).id).toBe("a");
  });

  it.each([null, undefined, "text", 7, false])("gives an empty record for %j", (value) => {
    const record = asRecord(value);

    expect(record).toEqual({});
    expect(record.anything).toBeUndefined();
  });
});
