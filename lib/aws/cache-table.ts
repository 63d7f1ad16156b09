import {
  type AttributeValue,
  BatchGetItemCommand,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
} from "@aws-sdk/client-dynamodb";
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

  /** Reads one item, strongly consistent (the fleet's record is decided on what it says). */
  async get(pk: string, signal: AbortSignal): Promise<TableItem | undefined> {
    const output = await this.client.send(
      new GetItemCommand({
        TableName: this.tableName,
        Key: { pk: { S: pk } },
        ConsistentRead: true,
      }),
      { abortSignal: signal },
    );
    return output.Item;
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
