import { deflateSync, gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import type { TableItem } from "../../../lib/aws/cache-table.ts";
import {
  decodeEntry,
  encodeEntry,
  encodeMissMarker,
  isMissMarker,
} from "../../../lib/aws/entry-item.ts";
import type { CacheEntry } from "../../../lib/cache/cache-entry.ts";

const NOW = Date.UTC(2026, 10, 26, 12, 0, 0, 123);
const BODY = JSON.stringify({ tracks: { items: Array(50).fill({ name: "Björk 東京 🎵" }) } });
const ENTRY: CacheEntry = {
  body: BODY,
  storedAt: NOW,
  freshUntil: NOW + 600_000,
  staleUntil: NOW + 600_000 + 86_400_001,
};

describe("encodeEntry and decodeEntry", () => {
  it.each(["zlib", "brotli"] as const)("round-trip an entry byte for byte with %s", (method) => {
    const item = encodeEntry("search#k", ENTRY, method);

    expect(decodeEntry(item)).toEqual(ENTRY);
  });

  it.each(["zlib", "brotli"] as const)("store the body compressed with %s", (method) => {
    const item = encodeEntry("search#k", ENTRY, method);

    expect(item.body?.B?.byteLength).toBeLessThan(Buffer.byteLength(BODY) / 4);
  });

  it("marks only a brotli body with its encoding, so an older zlib reader's items still read", () => {
    expect(encodeEntry("k", ENTRY, "brotli").enc).toEqual({ S: "br" });
    expect(encodeEntry("k", ENTRY, "zlib").enc).toBeUndefined();
  });

  it("keeps every time in milliseconds, and the TTL attribute in seconds rounded up past the stale window", () => {
    const item = encodeEntry("search#k", ENTRY, "zlib");

    expect(item.storedAt).toEqual({ N: String(NOW) });
    expect(item.staleUntil).toEqual({ N: String(ENTRY.staleUntil) });
    expect(Number(item.expiresAt?.N) * 1000).toBeGreaterThanOrEqual(ENTRY.staleUntil);
    expect(Number(item.expiresAt?.N) * 1000 - ENTRY.staleUntil).toBeLessThan(1000);
    expect(decodeEntry(item)?.staleUntil).toBe(ENTRY.staleUntil);
  });

  it("reads an earlier writer's item, which has only expiresAt, as stale until that second", () => {
    const { staleUntil: _, ...older } = encodeEntry("search#k", ENTRY, "zlib");

    const entry = decodeEntry(older);

    expect(entry?.staleUntil).toBe(Number(older.expiresAt?.N) * 1000);
    expect(entry?.body).toBe(BODY);
  });

  const zlibItem = () => encodeEntry("search#k", ENTRY, "zlib");
  const foreign: [string, TableItem | undefined][] = [
    ["no item", undefined],
    ["an item of another format version", { ...zlibItem(), v: { N: "2" } }],
    ["an item with no version", (({ v: _, ...rest }) => rest)(zlibItem())],
    ["an item with no body", (({ body: _, ...rest }) => rest)(zlibItem())],
    ["a body stored as a string", { ...zlibItem(), body: { S: BODY } }],
    ["a body that is not zlib", { ...zlibItem(), body: { B: Buffer.from(BODY) } }],
    ["a gzip body under the zlib format", { ...zlibItem(), body: { B: gzipSync(BODY) } }],
    ["a brotli mark on a zlib body", { ...zlibItem(), enc: { S: "br" } }],
    ["an encoding it does not know", { ...zlibItem(), enc: { S: "zstd" } }],
    ["a body that is not JSON", { ...zlibItem(), body: { B: deflateSync("<html>") } }],
    ["a time that is not a number", { ...zlibItem(), freshUntil: { N: "soon" } }],
    ["a missing storedAt", (({ storedAt: _, ...rest }) => rest)(zlibItem())],
    [
      "no staleUntil and no expiresAt",
      (({ staleUntil: _, expiresAt: __, ...rest }) => rest)(zlibItem()),
    ],
    ["a first-miss marker", encodeMissMarker("search#k", NOW + 1000)],
  ];

  it.each(foreign)("reads %s as no entry", (_name, item) => {
    expect(decodeEntry(item)).toBeUndefined();
  });

  it("refuses a body that would inflate past 16 MiB instead of inflating it", () => {
    const huge = `{"pad":"${" ".repeat(17 * 1024 * 1024)}"}`;
    const bomb = deflateSync(huge, { level: 1 });

    expect(decodeEntry({ ...zlibItem(), body: { B: bomb } })).toBeUndefined();
  });
});

describe("the first-miss marker", () => {
  it("has no body, and DynamoDB's TTL removes it at its end, rounded up to the second", () => {
    const item = encodeMissMarker("search#k", NOW + 60_000);

    expect(item.body).toBeUndefined();
    expect(item.pk).toEqual({ S: "search#k" });
    expect(Number(item.expiresAt?.N)).toBe(Math.ceil((NOW + 60_000) / 1000));
  });

  it("marks a miss until its end and not from then on", () => {
    const item = encodeMissMarker("search#k", NOW + 60_000);

    expect(isMissMarker(item, NOW)).toBe(true);
    expect(isMissMarker(item, NOW + 59_999)).toBe(true);
    expect(isMissMarker(item, NOW + 60_000)).toBe(false);
  });

  it("is not read from an entry, another version's marker, or no item", () => {
    const marker = encodeMissMarker("search#k", NOW + 60_000);

    expect(isMissMarker(encodeEntry("search#k", ENTRY, "zlib"), NOW)).toBe(false);
    expect(isMissMarker({ ...marker, v: { N: "0" } }, NOW)).toBe(false);
    expect(isMissMarker(undefined, NOW)).toBe(false);
  });
});
