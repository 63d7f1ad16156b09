import {
  brotliCompressSync,
  brotliDecompressSync,
  constants,
  deflateSync,
  inflateSync,
} from "node:zlib";
import type { CacheEntry } from "../cache/cache-entry.ts";
import type { Compression } from "../config.ts";
import type { TableItem } from "./cache-table.ts";

const FORMAT_VERSION = "1";
/** A foreign item must not inflate into gigabytes: no Spotify page comes near this. */
const MAX_BODY_BYTES = 16 * 1024 * 1024;
/** Brotli's middle quality: most of its gain on JSON at a small part of quality 11's CPU. */
const BROTLI_QUALITY = 5;

/**
 * A cache entry as a table item. Times are epoch ms; `expiresAt` (epoch seconds, DynamoDB's TTL
 * attribute) marks the end of the stale window, rounded up, so the item outlives its use.
 */
export function encodeEntry(pk: string, entry: CacheEntry, compression: Compression): TableItem {
  const item: TableItem = {
    pk: { S: pk },
    v: { N: FORMAT_VERSION },
    body: { B: compress(entry.body, compression) },
    storedAt: { N: String(entry.storedAt) },
    freshUntil: { N: String(entry.freshUntil) },
    staleUntil: { N: String(entry.staleUntil) },
    expiresAt: { N: String(Math.ceil(entry.staleUntil / 1000)) },
  };
  if (compression === "brotli") item.enc = { S: "br" };
  return item;
}

/** The marker of a first miss (the second-miss write policy): no body, gone at `until`. */
export function encodeMissMarker(pk: string, until: number): TableItem {
  return {
    pk: { S: pk },
    v: { N: FORMAT_VERSION },
    missedUntil: { N: String(until) },
    expiresAt: { N: String(Math.ceil(until / 1000)) },
  };
}

/** The entry an item holds, or undefined for anything of another shape (foreign, corrupt, old). */
export function decodeEntry(item: TableItem | undefined): CacheEntry | undefined {
  if (item?.v?.N !== FORMAT_VERSION || !(item.body?.B instanceof Uint8Array)) return undefined;
  const storedAt = Number(item.storedAt?.N);
  const freshUntil = Number(item.freshUntil?.N);
  // Items of earlier writers have only the TTL attribute, in whole seconds.
  const staleUntil =
    item.staleUntil?.N !== undefined ? Number(item.staleUntil.N) : 1000 * Number(item.expiresAt?.N);
  if (![storedAt, freshUntil, staleUntil].every(Number.isFinite)) return undefined;
  let body: string;
  try {
    body = decompress(item.body.B, item.enc?.S).toString("utf8");
    JSON.parse(body);
  } catch {
    return undefined;
  }
  return { body, storedAt, freshUntil, staleUntil };
}

/** True while an item marks a first miss of its question. */
export function isMissMarker(item: TableItem | undefined, now: number): boolean {
  const until = Number(item?.missedUntil?.N);
  return item?.v?.N === FORMAT_VERSION && Number.isFinite(until) && now < until;
}

function compress(body: string, compression: Compression): Buffer {
  if (compression === "zlib") return deflateSync(body);
  return brotliCompressSync(body, { params: { [constants.BROTLI_PARAM_QUALITY]: BROTLI_QUALITY } });
}

function decompress(data: Uint8Array, encoding: string | undefined): Buffer {
  if (encoding === undefined) return inflateSync(data, { maxOutputLength: MAX_BODY_BYTES });
  if (encoding === "br") return brotliDecompressSync(data, { maxOutputLength: MAX_BODY_BYTES });
  throw new Error(`Unknown body encoding ${encoding}`);
}
