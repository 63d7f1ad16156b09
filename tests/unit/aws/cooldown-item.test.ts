import { describe, expect, it } from "vitest";
import type { ConditionalUpdate, TableItem } from "../../../lib/aws/cache-table.ts";
import {
  announce,
  COOLDOWN_KEY,
  decodeCooldown,
  settle,
  takeLease,
} from "../../../lib/aws/cooldown-item.ts";
import { updateItem } from "../../support/dynamo-expressions.ts";

const NOW = Date.UTC(2026, 10, 26, 12);
const WINDOW = NOW - 1_000;

/** The record after applying each change in turn, as DynamoDB would; `false` marks a refused one. */
function run(...changes: ConditionalUpdate[]): { item: TableItem | undefined; applied: boolean[] } {
  let item: TableItem | undefined;
  const applied: boolean[] = [];
  for (const change of changes) {
    const result = updateItem(item, COOLDOWN_KEY, change);
    item = result.item;
    applied.push(result.applied);
  }
  return { item, applied };
}

/** Placeholders the expressions use and the ones they define, which DynamoDB requires to match. */
function placeholders(change: ConditionalUpdate) {
  const text = `${change.update} ${change.condition}`;
  return {
    usedNames: new Set(text.match(/#\w+/g)),
    usedValues: new Set(text.match(/:\w+/g)),
    names: new Set(Object.keys(change.names)),
    values: new Set(Object.keys(change.values)),
  };
}

describe("decodeCooldown", () => {
  it("reads the record's window, reason, settlement and lease", () => {
    const item: TableItem = {
      pk: { S: COOLDOWN_KEY },
      until: { N: String(NOW) },
      reason: { S: "QUOTA_EXCEEDED" },
      settled: { BOOL: true },
      probeOwner: { S: "container-a" },
      probeUntil: { N: String(NOW + 5) },
    };

    expect(decodeCooldown(item)).toEqual({
      until: NOW,
      reason: "QUOTA_EXCEEDED",
      settled: true,
      probeOwner: "container-a",
      probeUntil: NOW + 5,
    });
  });

  it("reads an empty reason as none, and a record with no lease as unleased and unsettled", () => {
    const item: TableItem = { until: { N: String(NOW) }, reason: { S: "" } };

    expect(decodeCooldown(item)).toEqual({
      until: NOW,
      reason: undefined,
      settled: false,
      probeOwner: undefined,
      probeUntil: 0,
    });
  });

  it("reads a lease time that is not a number as no lease", () => {
    expect(decodeCooldown({ until: { N: "1" }, probeUntil: { N: "x" } })?.probeUntil).toBe(0);
  });

  it.each([
    ["no item", undefined],
    ["an item without a window", { pk: { S: COOLDOWN_KEY } }],
    ["a window that is not a number", { until: { N: "later" } }],
    ["a window of another type", { until: { S: String(NOW) } }],
  ])("reads %s as no record", (_name, item) => {
    expect(decodeCooldown(item as TableItem | undefined)).toBeUndefined();
  });
});

describe("the record's conditional updates", () => {
  it.each([
    ["announce", announce(NOW, "QUOTA_EXCEEDED")],
    ["announce without a reason", announce(NOW, undefined)],
    ["takeLease", takeLease(WINDOW, "a", NOW, NOW + 5_000)],
    ["settle", settle(WINDOW)],
  ])("%s defines exactly the names and values its expressions use", (_name, change) => {
    const { usedNames, usedValues, names, values } = placeholders(change);

    expect(names).toEqual(usedNames);
    expect(values).toEqual(usedValues);
    for (const [placeholder, name] of Object.entries(change.names)) {
      expect(placeholder).toBe(`#${name}`);
    }
  });

  it("announce writes the window, its reason and a TTL a day past its end", () => {
    const { item } = run(announce(NOW + 60_000, "QUOTA_EXCEEDED"));

    expect(decodeCooldown(item)).toMatchObject({
      until: NOW + 60_000,
      reason: "QUOTA_EXCEEDED",
      settled: false,
    });
    expect(Number(item?.expiresAt?.N)).toBe(Math.ceil((NOW + 60_000) / 1000) + 86_400);
  });

  it("announce is extend-only: a shorter or equal window never shortens a longer one", () => {
    const { item, applied } = run(
      announce(NOW + 60_000, "QUOTA_EXCEEDED"),
      announce(NOW + 5_000, undefined),
      announce(NOW + 60_000, undefined),
    );

    expect(applied).toEqual([true, false, false]);
    expect(decodeCooldown(item)).toMatchObject({ until: NOW + 60_000, reason: "QUOTA_EXCEEDED" });
  });

  it("a longer window replaces the record, needs a new probe: the lease and settlement reset", () => {
    const { item, applied } = run(
      announce(WINDOW, undefined),
      takeLease(WINDOW, "a", NOW, NOW + 5_000),
      settle(WINDOW),
      announce(NOW + 60_000, "QUOTA_EXCEEDED"),
    );

    expect(applied).toEqual([true, true, true, true]);
    expect(decodeCooldown(item)).toEqual({
      until: NOW + 60_000,
      reason: "QUOTA_EXCEEDED",
      settled: false,
      probeOwner: undefined,
      probeUntil: 0,
    });
  });

  it("the lease is taken while the window is the record's, unsettled and unheld", () => {
    const { item, applied } = run(
      announce(WINDOW, undefined),
      takeLease(WINDOW, "a", NOW, NOW + 5_000),
    );

    expect(applied).toEqual([true, true]);
    expect(decodeCooldown(item)).toMatchObject({ probeOwner: "a", probeUntil: NOW + 5_000 });
  });

  it("the lease is refused to another while its holder's lease runs, and renewed for the holder", () => {
    const { item, applied } = run(
      announce(WINDOW, undefined),
      takeLease(WINDOW, "a", NOW, NOW + 5_000),
      takeLease(WINDOW, "b", NOW + 4_999, NOW + 9_999),
      takeLease(WINDOW, "a", NOW + 4_000, NOW + 9_000),
    );

    expect(applied).toEqual([true, true, false, true]);
    expect(decodeCooldown(item)).toMatchObject({ probeOwner: "a", probeUntil: NOW + 9_000 });
  });

  it("an expired lease goes to the next container that asks", () => {
    const { item, applied } = run(
      announce(WINDOW, undefined),
      takeLease(WINDOW, "a", NOW, NOW + 5_000),
      takeLease(WINDOW, "b", NOW + 5_001, NOW + 10_000),
    );

    expect(applied).toEqual([true, true, true]);
    expect(decodeCooldown(item)?.probeOwner).toBe("b");
  });

  it("the lease is refused once the window is settled, for another window, or with no record", () => {
    expect(run(takeLease(WINDOW, "a", NOW, NOW + 5_000)).applied).toEqual([false]);
    expect(
      run(announce(WINDOW, undefined), settle(WINDOW), takeLease(WINDOW, "a", NOW, NOW + 5_000))
        .applied,
    ).toEqual([true, true, false]);
    expect(
      run(announce(NOW + 60_000, undefined), takeLease(WINDOW, "a", NOW, NOW + 5_000)).applied,
    ).toEqual([true, false]);
  });

  it("settle ends the window it names for everyone and frees the lease", () => {
    const { item, applied } = run(
      announce(WINDOW, undefined),
      takeLease(WINDOW, "a", NOW, NOW + 5_000),
      settle(WINDOW),
    );

    expect(applied).toEqual([true, true, true]);
    expect(decodeCooldown(item)).toMatchObject({
      settled: true,
      probeOwner: undefined,
      probeUntil: 0,
    });
  });

  it("a late settle of an older window leaves a newer window unsettled", () => {
    const { item, applied } = run(announce(NOW + 60_000, "QUOTA_EXCEEDED"), settle(WINDOW));

    expect(applied).toEqual([true, false]);
    expect(decodeCooldown(item)?.settled).toBe(false);
  });
});
