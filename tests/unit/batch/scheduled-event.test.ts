import { describe, expect, it } from "vitest";
import { parseScheduledEvent } from "../../../lib/batch/scheduled-event.ts";
import { ValidationError } from "../../../lib/errors.ts";
import { loadEvent } from "../../support/events.ts";

describe("parseScheduledEvent", () => {
  const NOW = new Date("2026-11-26T14:15:16.789Z");

  it("reads EventBridge's Scheduled Event: time and id make the run id", () => {
    const run = parseScheduledEvent(loadEvent("scheduled.json"), NOW);

    expect(run).toEqual({
      runId: "20261126T130000Z-53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa",
      startedAt: new Date("2026-11-26T13:00:00Z"),
    });
  });

  it("is stable for the same event, so a retried invocation overwrites its own object", () => {
    const event = loadEvent("scheduled.json");

    expect(parseScheduledEvent(event, NOW).runId).toBe(
      parseScheduledEvent(event, new Date()).runId,
    );
  });

  it("carries a custom input's queries, whatever they are", () => {
    expect(parseScheduledEvent({ queries: [{ q: "x" }] }, NOW).queries).toEqual([{ q: "x" }]);
    expect(parseScheduledEvent({ queries: null }, NOW)).toHaveProperty("queries", null);
    expect(parseScheduledEvent({}, NOW)).not.toHaveProperty("queries");
  });

  it.each([undefined, null, {}])("uses now and a fresh id for %j", (event) => {
    const run = parseScheduledEvent(event, NOW);

    expect(run.startedAt).toEqual(NOW);
    expect(run.runId).toMatch(/^20261126T141516Z-[0-9a-f-]{36}$/);
  });

  it.each([
    ["an unparsable time", { time: "yesterday", id: "a" }],
    ["a numeric time", { time: 1795611600000, id: "a" }],
  ])("falls back to now for %s", (_name, event) => {
    expect(parseScheduledEvent(event, NOW).runId).toBe("20261126T141516Z-a");
  });

  it.each([
    ["with a slash", "../../etc"],
    ["empty", ""],
    ["too long", "x".repeat(65)],
    ["not a string", 42],
  ])("replaces an id %s by a fresh one", (_name, id) => {
    const run = parseScheduledEvent({ time: "2026-11-26T13:00:00Z", id }, NOW);

    expect(run.runId).toMatch(/^20261126T130000Z-[0-9a-f]{8}-[0-9a-f]{4}-/);
  });

  it.each([
    ["a string", "run"],
    ["a number", 1],
    ["true", true],
    ["an array", [{ q: "x" }]],
  ])("refuses %s", (_name, event) => {
    expect(() => parseScheduledEvent(event, NOW)).toThrow(ValidationError);
    expect(() => parseScheduledEvent(event, NOW)).toThrow("The scheduled event must be an object");
  });
});
