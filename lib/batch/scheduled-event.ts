import { randomUUID } from "node:crypto";
import { ValidationError } from "../errors.ts";
import { asRecord, isRecord } from "../records.ts";

export interface ScheduledRun {
  /** Stable per EventBridge event, so a retried invocation writes (and finds) its own object. */
  runId: string;
  startedAt: Date;
  /** The rule's own searches (custom input), when it carries them. */
  queries?: unknown;
}

/**
 * Accepts EventBridge's "Scheduled Event" or a rule's custom input. `queries` in the input
 * replaces the list from SSM for this run.
 */
export function parseScheduledEvent(event: unknown, now: Date): ScheduledRun {
  const record = asRecord(event);
  if (event !== undefined && event !== null && (!isRecord(event) || Array.isArray(event))) {
    throw new ValidationError("The scheduled event must be an object");
  }
  const time = typeof record.time === "string" ? new Date(record.time) : now;
  const startedAt = Number.isNaN(time.getTime()) ? now : time;
  const id =
    typeof record.id === "string" && /^[\w-]{1,64}$/.test(record.id) ? record.id : randomUUID();
  const stamp = startedAt
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d+Z$/, "Z");
  const run: ScheduledRun = { runId: `${stamp}-${id}`, startedAt };
  if ("queries" in record) run.queries = record.queries;
  return run;
}
