/**
 * Prices every DynamoDB call in on-demand request units, from the items on the wire (DynamoDB's
 * own sizing rules: attribute names plus values; reads in 4 KB units, halved when eventually
 * consistent; writes in 1 KB units). Other AWS calls (Secrets Manager) are only counted.
 */
import { epochNow, startCountingProxy } from "../../local/aws-proxy.ts";

export interface DynamoUsage {
  readUnits: number;
  writeUnits: number;
  /** DynamoDB calls by operation (`GetItem`, `PutItem`, …) and other AWS calls by target. */
  calls: Record<string, number>;
  /** Round trip through moto of each DynamoDB call, ms, in completion order. */
  roundTripsMs: number[];
  /** Each DynamoDB call: operation and epoch ms when it arrived and when moto's answer left. */
  log: { operation: string; at: number; doneAt: number; status: number }[];
}

export interface DynamoMeter {
  endpoint: string;
  /** Usage since the last reset. */
  usage(): DynamoUsage;
  reset(): void;
  close(): Promise<void>;
}

type AttributeValue = Record<string, unknown>;
type Item = Record<string, AttributeValue>;

const utf8 = (text: string) => Buffer.byteLength(text, "utf8");

/** Size of one attribute value by DynamoDB's rules (numbers approximated from their digits). */
export function valueSize(value: AttributeValue): number {
  const [type, inner] = Object.entries(value)[0] ?? ["NULL", true];
  switch (type) {
    case "S":
      return utf8(String(inner));
    case "N":
      return Math.ceil(String(inner).replace(/^-|\.|e.*$/gi, "").length / 2) + 1;
    case "B":
      return Buffer.from(String(inner), "base64").length;
    case "BOOL":
    case "NULL":
      return 1;
    case "SS":
    case "NS":
    case "BS":
      return (inner as unknown[]).reduce<number>(
        (sum, member) => sum + valueSize({ [type.slice(0, 1)]: member }),
        0,
      );
    case "L":
      return (
        3 + (inner as AttributeValue[]).reduce((sum, member) => sum + 1 + valueSize(member), 0)
      );
    case "M":
      return 3 + itemSize(inner as Item) + Object.keys(inner as Item).length;
    default:
      return 0;
  }
}

/** Size of an item: every attribute's name and value. */
export function itemSize(item: Item | undefined): number {
  if (item === undefined) return 0;
  let size = 0;
  for (const [name, value] of Object.entries(item)) size += utf8(name) + valueSize(value);
  return size;
}

const readUnits = (bytes: number, consistent: boolean) =>
  Math.max(1, Math.ceil(bytes / 4096)) * (consistent ? 1 : 0.5);
const writeUnits = (bytes: number) => Math.max(1, Math.ceil(bytes / 1024));

interface Priced {
  read: number;
  write: number;
}

/** Request units of one call from its request and response bodies. */
export function priceCall(operation: string, request: unknown, response: unknown): Priced {
  const req = (request ?? {}) as Record<string, unknown>;
  const res = (response ?? {}) as Record<string, unknown>;
  const consistent = req.ConsistentRead === true;
  switch (operation) {
    case "GetItem":
      return { read: readUnits(itemSize(res.Item as Item | undefined), consistent), write: 0 };
    case "PutItem":
      return { read: 0, write: writeUnits(itemSize(req.Item as Item | undefined)) };
    case "UpdateItem": {
      // The item after the update decides; without ReturnValues only the new values are known.
      const values = (req.ExpressionAttributeValues ?? {}) as Item;
      const known = Math.max(itemSize(res.Attributes as Item | undefined), itemSize(values));
      return { read: 0, write: writeUnits(known) };
    }
    case "DeleteItem":
      return { read: 0, write: writeUnits(itemSize(res.Attributes as Item | undefined)) };
    case "BatchGetItem": {
      // Every requested key costs a read, found or not (DynamoDB's minimum per item).
      let read = 0;
      const requested = (req.RequestItems ?? {}) as Record<string, Record<string, unknown>>;
      const found = (res.Responses ?? {}) as Record<string, Item[]>;
      for (const [table, spec] of Object.entries(requested)) {
        const items = found[table] ?? [];
        const keys = ((spec.Keys ?? []) as unknown[]).length;
        const strong = spec.ConsistentRead === true;
        for (const item of items) read += readUnits(itemSize(item), strong);
        read += Math.max(0, keys - items.length) * readUnits(0, strong);
      }
      return { read, write: 0 };
    }
    case "BatchWriteItem": {
      let write = 0;
      const requests = Object.values((req.RequestItems ?? {}) as Record<string, unknown[]>).flat();
      for (const entry of requests as { PutRequest?: { Item?: Item } }[]) {
        write += writeUnits(itemSize(entry.PutRequest?.Item));
      }
      return { read: 0, write };
    }
    case "Query":
    case "Scan": {
      const items = (res.Items ?? []) as Item[];
      const bytes = items.reduce((sum, item) => sum + itemSize(item), 0);
      return { read: readUnits(bytes, consistent), write: 0 };
    }
    default:
      return { read: 0, write: 0 };
  }
}

/**
 * The local stack's AWS proxy (infra/local/aws-proxy.ts: writes to moto one at a time) with every
 * DynamoDB call priced as it is answered.
 */
export async function startDynamoMeter(target: string): Promise<DynamoMeter> {
  const empty = (): DynamoUsage => ({
    readUnits: 0,
    writeUnits: 0,
    calls: {},
    roundTripsMs: [],
    log: [],
  });
  let usage = empty();
  const proxy = await startCountingProxy(target, ({ call, status, request, response }) => {
    const dynamo = call.operation.startsWith("DynamoDB_");
    const operation = dynamo
      ? call.operation.slice(call.operation.indexOf(".") + 1)
      : call.operation;
    usage.calls[operation] = (usage.calls[operation] ?? 0) + 1;
    if (!dynamo) return;
    const doneAt = call.doneAt ?? epochNow();
    if (status < 500) {
      const priced = priceCall(operation, parse(request), parse(response));
      usage.readUnits += priced.read;
      usage.writeUnits += priced.write;
      usage.roundTripsMs.push(doneAt - call.at);
    }
    usage.log.push({ operation, at: call.at, doneAt, status });
  });
  return {
    endpoint: proxy.endpoint,
    usage: () => ({
      ...usage,
      calls: { ...usage.calls },
      roundTripsMs: [...usage.roundTripsMs],
      log: [...usage.log],
    }),
    reset: () => {
      usage = empty();
    },
    close: () => proxy.close(),
  };
}

function parse(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString("utf8"));
  } catch {
    return undefined;
  }
}
