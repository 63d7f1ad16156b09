import { deflateSync, inflateSync } from "node:zlib";
import {
  type AttributeValue,
  BatchGetItemCommand,
  type DynamoDBClient,
  PutItemCommand,
  UpdateItemCommand,
} from "@aws-sdk/client-dynamodb";
import type { CacheEntry } from "../cache/cache-entry.ts";
import { awsErrorName } from "./aws-errors.ts";

export type TableItem = Record<string, AttributeValue>;

/** One conditional update of one item (DynamoDB expression syntax). */
export interface ConditionalUpdate {
  update: string;
  condition: string;
  names: Record<string, string>;
  values: TableItem;
}

/** DynamoDB's item limit is 400 KB, names and key included; keep a margin for both. */
export const MAX_ITEM_BYTES = 400 * 1024 - 2 * 1024;
/** A foreign item must not inflate into gigabytes: no Spotify page comes near this. */
const MAX_BODY_BYTES = 16 * 1024 * 1024;
const FORMAT_VERSION = "1";

/**
 * The shared table (partition key `pk`, TTL attribute `expiresAt` in epoch seconds). DynamoDB
 * deletes expired items only eventually, so readers check the times themselves.
 */
export class CacheTable {
  constructor(
    private readonly client: DynamoDBClient,
    readonly tableName: string,
  ) {}

  /** Reads up to 100 items in one round trip; keys DynamoDB left unprocessed read as absent. */
  async read(keys: readonly string[], signal: AbortSignal): Promise<Map<string, TableItem>> {
    const output = await this.client.send(
      new BatchGetItemCommand({
        RequestItems: { [this.tableName]: { Keys: keys.map((pk) => ({ pk: { S: pk } })) } },
      }),
      { abortSignal: signal },
    );
    const items = new Map<string, TableItem>();
    for (const item of output.Responses?.[this.tableName] ?? []) {
      const pk = item.pk?.S;
      if (pk !== undefined) items.set(pk, item);
    }
    return items;
  }

  /**
   * Applies a conditional update atomically (DynamoDB checks the condition and writes in one
   * step, so concurrent writers cannot interleave); false when the condition did not hold.
   */
  async updateIf(pk: string, change: ConditionalUpdate, signal: AbortSignal): Promise<boolean> {
    try {
      await this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: { pk: { S: pk } },
          UpdateExpression: change.update,
          ConditionExpression: change.condition,
          ExpressionAttributeNames: change.names,
          ExpressionAttributeValues: change.values,
        }),
        { abortSignal: signal },
      );
      return true;
    } catch (error) {
      if (awsErrorName(error) === "ConditionalCheckFailedException") return false;
      throw error;
    }
  }

  /** Writes an item; returns false when it is over DynamoDB's item limit (nothing written). */
  async write(item: TableItem, signal: AbortSignal): Promise<boolean> {
    if (itemBytes(item) > MAX_ITEM_BYTES) return false;
    await this.client.send(new PutItemCommand({ TableName: this.tableName, Item: item }), {
      abortSignal: signal,
    });
    return true;
  }
}

/** A cache entry as a table item, its body compressed with zlib. */
export function encodeEntry(pk: string, entry: CacheEntry): TableItem {
  return {
    pk: { S: pk },
    v: { N: FORMAT_VERSION },
    body: { B: deflateSync(entry.body) },
    storedAt: { N: String(entry.storedAt) },
    freshUntil: { N: String(entry.freshUntil) },
    // The TTL attribute marks when the item is useless: the end of its stale window.
    expiresAt: { N: String(Math.ceil(entry.staleUntil / 1000)) },
  };
}

/** The entry an item holds, or undefined for anything of another shape (foreign, corrupt, old). */
export function decodeEntry(item: TableItem | undefined): CacheEntry | undefined {
  if (item?.v?.N !== FORMAT_VERSION || !(item.body?.B instanceof Uint8Array)) return undefined;
  const storedAt = Number(item.storedAt?.N);
  const freshUntil = Number(item.freshUntil?.N);
  const expiresAt = Number(item.expiresAt?.N);
  if (![storedAt, freshUntil, expiresAt].every(Number.isFinite)) return undefined;
  let body: string;
  try {
    body = inflateSync(item.body.B, { maxOutputLength: MAX_BODY_BYTES }).toString("utf8");
    JSON.parse(body);
  } catch {
    return undefined;
  }
  return { body, storedAt, freshUntil, staleUntil: expiresAt * 1000 };
}

function itemBytes(item: TableItem): number {
  let bytes = 0;
  for (const [name, value] of Object.entries(item)) {
    bytes += Buffer.byteLength(name);
    if (value.S !== undefined) bytes += Buffer.byteLength(value.S);
    else if (value.B !== undefined) bytes += value.B.byteLength;
    else if (value.N !== undefined) bytes += value.N.length;
  }
  return bytes;
}
