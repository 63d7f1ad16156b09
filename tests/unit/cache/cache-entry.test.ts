import { describe, expect, it } from "vitest";
import {
  type CacheEntry,
  isFresh,
  isUsable,
  newest,
  underReaderRules,
} from "../../../lib/cache/cache-entry.ts";

const NOW = Date.UTC(2026, 10, 26, 12);
const MINUTE = 60_000;
const DAY = 86_400_000;

function entry(storedAt: number, ttlMs: number, staleMs: number, body = "{}"): CacheEntry {
  return { body, storedAt, freshUntil: storedAt + ttlMs, staleUntil: storedAt + ttlMs + staleMs };
}

describe("isFresh and isUsable", () => {
  const cached = entry(NOW, 10 * MINUTE, DAY);

  it("an entry is fresh until its TTL ends, and not at that moment", () => {
    expect(isFresh(cached, NOW + 10 * MINUTE - 1)).toBe(true);
    expect(isFresh(cached, NOW + 10 * MINUTE)).toBe(false);
  });

  it("an entry past its TTL is still usable until its stale window ends, and not at that moment", () => {
    expect(isUsable(cached, NOW + 10 * MINUTE)).toBe(true);
    expect(isUsable(cached, NOW + 10 * MINUTE + DAY - 1)).toBe(true);
    expect(isUsable(cached, NOW + 10 * MINUTE + DAY)).toBe(false);
  });
});

describe("newest", () => {
  it("prefers the entry with the most freshness left, whichever side it is on", () => {
    const older = entry(NOW - 5 * MINUTE, 10 * MINUTE, DAY, "older");
    const newer = entry(NOW - MINUTE, 10 * MINUTE, DAY, "newer");

    expect(newest(older, newer, NOW)?.body).toBe("newer");
    expect(newest(newer, older, NOW)?.body).toBe("newer");
  });

  it("never picks an entry past its stale window, however fresh it once was", () => {
    const expired = entry(NOW - 2 * DAY, 10 * MINUTE, DAY, "expired");
    const stale = entry(NOW - DAY / 2, 10 * MINUTE, DAY, "stale");

    expect(newest(expired, stale, NOW)?.body).toBe("stale");
    expect(newest(expired, undefined, NOW)).toBeUndefined();
  });

  it("is undefined with nothing in hand", () => {
    expect(newest(undefined, undefined, NOW)).toBeUndefined();
  });
});

describe("underReaderRules", () => {
  const rules = { ttlMs: MINUTE, staleIfErrorMs: 10 * MINUTE };

  it("keeps an entry a writer stored under the same or stricter rules as it was", () => {
    const stored = entry(NOW - 30_000, 30_000, 5 * MINUTE);

    expect(underReaderRules(stored, rules, NOW)).toEqual(stored);
  });

  it("a reader's shorter TTL ends a writer's longer freshness", () => {
    const stored = entry(NOW - 2 * MINUTE, 5 * MINUTE, DAY);

    const read = underReaderRules(stored, rules, NOW);

    expect(read?.freshUntil).toBe(stored.storedAt + MINUTE);
    expect(read && isFresh(read, NOW)).toBe(false);
  });

  it("a reader's shorter stale window ends a writer's longer one, counted from the capped TTL", () => {
    const stored = entry(NOW - 2 * MINUTE, 5 * MINUTE, DAY);

    const read = underReaderRules(stored, rules, NOW);

    expect(read?.staleUntil).toBe(stored.storedAt + MINUTE + 10 * MINUTE);
  });

  it("a reader with no stale window never uses an entry past its TTL", () => {
    const stored = entry(NOW - 2 * MINUTE, MINUTE, DAY);

    const read = underReaderRules(stored, { ttlMs: MINUTE, staleIfErrorMs: 0 }, NOW);

    expect(read && isUsable(read, NOW)).toBe(false);
  });

  it("a store time slightly in the future (clock skew) is taken as now", () => {
    const stored = entry(NOW + 500, MINUTE, DAY);

    const read = underReaderRules(stored, rules, NOW);

    expect(read?.storedAt).toBe(NOW);
    expect(read?.freshUntil).toBe(NOW + MINUTE);
    expect(read?.staleUntil).toBe(NOW + MINUTE + 10 * MINUTE);
  });

  it("a store time far in the future is a writer's bug: the entry is not used at all", () => {
    const year = 365 * DAY;

    expect(underReaderRules(entry(NOW + year, year, year), rules, NOW)).toBeUndefined();
    expect(underReaderRules(entry(NOW + 1_001, MINUTE, DAY), rules, NOW)).toBeUndefined();
  });

  it("keeps the body byte for byte", () => {
    const stored = entry(NOW, DAY, DAY, '{"name":"Björk 🎵"}');

    expect(underReaderRules(stored, rules, NOW)?.body).toBe(stored.body);
  });
});
