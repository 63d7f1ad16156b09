import type { AttributeValue } from "@aws-sdk/client-dynamodb";
import type { ConditionalUpdate, TableItem } from "../../lib/aws/cache-table.ts";

/**
 * DynamoDB's UpdateItem for the small part of its expression syntax the table's conditional
 * updates use (SET/REMOVE; AND, OR, parentheses, attribute_not_exists, comparisons), so pure tests
 * and in-memory stores decide on exactly the expressions lib/aws sends. A placeholder without a
 * name or value throws, as DynamoDB would refuse the request.
 */
export function updateItem(
  item: TableItem | undefined,
  pk: string,
  change: ConditionalUpdate,
): { applied: boolean; item: TableItem | undefined } {
  if (!conditionHolds(item, change)) return { applied: false, item };
  const next: TableItem = { ...(item ?? { pk: { S: pk } }) };
  for (const section of change.update.split(/\s+(?=SET\s|REMOVE\s)/)) {
    const [keyword, ...rest] = section.trim().split(/\s+/);
    const list = rest
      .join(" ")
      .split(",")
      .map((part) => part.trim());
    if (keyword === "SET") {
      for (const assignment of list) {
        const [target, source] = assignment.split(/\s*=\s*/);
        next[nameOf(change, target)] = valueFor(change, source);
      }
    } else if (keyword === "REMOVE") {
      for (const target of list) delete next[nameOf(change, target)];
    } else {
      throw new Error(`Unsupported update clause: ${section}`);
    }
  }
  return { applied: true, item: next };
}

/** True when the change's condition holds on `item` (absent: no item yet). */
export function conditionHolds(item: TableItem | undefined, change: ConditionalUpdate): boolean {
  const tokens = change.condition.match(/attribute_not_exists|<=|>=|<>|[()=<>]|[#:]\w+|\S+/g) ?? [];
  let at = 0;
  const next = () => tokens[at++];
  const peek = () => tokens[at];
  const expect = (token: string) => {
    if (next() !== token) throw new Error(`Expected ${token} in ${change.condition}`);
  };
  const operand = (token: string | undefined): AttributeValue | undefined => {
    if (token?.startsWith("#")) return item?.[nameOf(change, token)];
    if (token?.startsWith(":")) return valueFor(change, token);
    throw new Error(`Unexpected ${token} in ${change.condition}`);
  };
  const factor = (): boolean => {
    const token = next();
    if (token === "(") {
      const value = or();
      expect(")");
      return value;
    }
    if (token === "attribute_not_exists") {
      expect("(");
      const name = next();
      expect(")");
      return item?.[nameOf(change, name)] === undefined;
    }
    const left = operand(token);
    const op = next();
    const right = operand(next());
    return compare(left, op, right);
  };
  const and = (): boolean => {
    let value = factor();
    while (peek() === "AND") {
      next();
      value = factor() && value;
    }
    return value;
  };
  const or = (): boolean => {
    let value = and();
    while (peek() === "OR") {
      next();
      value = and() || value;
    }
    return value;
  };
  const result = or();
  if (at !== tokens.length) throw new Error(`Unparsed rest of ${change.condition}`);
  return result;
}

function nameOf(change: ConditionalUpdate, placeholder: string | undefined): string {
  const name = placeholder === undefined ? undefined : change.names[placeholder];
  if (name === undefined) throw new Error(`No name for ${placeholder}`);
  return name;
}

function valueFor(change: ConditionalUpdate, placeholder: string | undefined): AttributeValue {
  const value = placeholder === undefined ? undefined : change.values[placeholder];
  if (value === undefined) throw new Error(`No value for ${placeholder}`);
  return value;
}

/** A comparison with a missing attribute is false, as in DynamoDB. */
function compare(
  left: AttributeValue | undefined,
  op: string | undefined,
  right: AttributeValue | undefined,
): boolean {
  if (!left || !right) return false;
  const a = scalar(left);
  const b = scalar(right);
  if (typeof a !== typeof b) return op === "<>";
  switch (op) {
    case "=":
      return a === b;
    case "<>":
      return a !== b;
    case "<":
      return a < b;
    case ">":
      return a > b;
    case "<=":
      return a <= b;
    case ">=":
      return a >= b;
    default:
      throw new Error(`Unsupported operator ${op}`);
  }
}

function scalar(value: AttributeValue): number | string | boolean {
  if (value.N !== undefined) return Number(value.N);
  if (value.S !== undefined) return value.S;
  if (value.BOOL !== undefined) return value.BOOL;
  throw new Error("Unsupported attribute type in a comparison");
}
