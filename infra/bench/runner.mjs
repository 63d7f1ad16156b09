/**
 * The bench's child process: plain Node (no tsx, no loader), one fresh process per cold start, the
 * way the Lambda runtime loads a function. It imports a built bundle, invokes its handler as the
 * mode asks, writes one JSON result to `resultFile`, and exits. The function's own output (logs,
 * EMF metrics) goes to whatever stdout the bench gave it.
 *
 * argv[2] is the JSON config (RunnerConfig in infra/bench/child.ts). Every time is
 * `performance.now()`: milliseconds since this process's time origin (its start); `timeOrigin` is
 * that origin on the epoch clock, so the bench can line the phases up with the wire recordings.
 *
 * Modes:
 * - cold: import, one invocation (events[0]);
 * - warm: import, one invocation, `warmup` more, then `invocations` measured invocations beside as
 *   many bare fetches of `floorUrl` with `floorToken` (the floor), in alternating blocks;
 * - sequence: import, then each of `events` in turn, after its `pauseBeforeMs`;
 * - timed: import, then invocations of events[0] every `intervalMs` for `durationMs`.
 */
import { randomUUID } from "node:crypto";
import { writeFileSync } from "node:fs";
import { pathToFileURL } from "node:url";

const runnerStart = performance.now();
const config = JSON.parse(process.argv[2] ?? "{}");

function context() {
  const deadline = Date.now() + config.timeoutMs;
  const name = config.functionName;
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: name,
    functionVersion: "$LATEST",
    invokedFunctionArn: `arn:aws:lambda:us-east-1:123456789012:function:${name}`,
    memoryLimitInMB: String(config.memoryMb),
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${name}`,
    logStreamName: "bench/[$LATEST]0",
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

/** "200" for an API answer, "ok" for another result, "error:<name>" when the handler threw. */
function outcomeOf(result, error) {
  if (error !== undefined) return `error:${error?.name ?? "unknown"}`;
  if (result && typeof result.statusCode === "number") return String(result.statusCode);
  return "ok";
}

/** Scheduled summaries are small; API answers are cut to their status and body size. */
function summaryOf(result) {
  if (result && typeof result.statusCode === "number") {
    return { statusCode: result.statusCode, bodyBytes: String(result.body ?? "").length };
  }
  if (result && typeof result === "object") {
    const { failures, skippedQueries, ...rest } = result;
    return { ...rest, failures: Array.isArray(failures) ? failures.slice(0, 5) : failures };
  }
  return result;
}

async function load() {
  const importStart = performance.now();
  const module = await import(pathToFileURL(config.bundle).href);
  const importEnd = performance.now();
  const handler = module[config.exportName];
  if (typeof handler !== "function") {
    throw new Error(`${config.bundle} does not export a function "${config.exportName}"`);
  }
  return { handler, importStart, importEnd };
}

async function invoke(handler, eventText) {
  const event = JSON.parse(eventText);
  const ctx = context();
  const start = performance.now();
  let result;
  let error;
  try {
    result = await handler(event, ctx);
  } catch (caught) {
    error = caught ?? new Error("undefined was thrown");
  }
  const end = performance.now();
  return { start, end, outcome: outcomeOf(result, error), result, error };
}

function tally(counts, outcome) {
  counts[outcome] = (counts[outcome] ?? 0) + 1;
}

function nodeTiming() {
  const t = performance.nodeTiming;
  return {
    nodeStart: t.nodeStart,
    v8Start: t.v8Start,
    environment: t.environment,
    bootstrapComplete: t.bootstrapComplete,
  };
}

async function cold() {
  const { handler, importStart, importEnd } = await load();
  const first = await invoke(handler, config.events[0]);
  return {
    runnerStart,
    importStart,
    importEnd,
    invokeStart: first.start,
    invokeEnd: first.end,
    outcome: first.outcome,
    summary: summaryOf(first.result),
    error: first.error ? String(first.error?.stack ?? first.error) : undefined,
    nodeTiming: nodeTiming(),
  };
}

async function warm() {
  const { handler } = await load();
  const eventText = config.events[0];
  const init = {
    headers: { authorization: `Bearer ${config.floorToken}`, accept: "application/json" },
  };
  const floorCounts = {};
  const floorOnce = async () => {
    const start = performance.now();
    const answer = await fetch(config.floorUrl, init);
    await answer.text();
    const ms = performance.now() - start;
    tally(floorCounts, String(answer.status));
    return ms;
  };
  const counts = {};
  const first = await invoke(handler, eventText);
  tally(counts, first.outcome);
  for (let i = 0; i < config.warmup; i++) {
    tally(counts, (await invoke(handler, eventText)).outcome);
    await floorOnce();
  }
  const handlerMs = [];
  const floorMs = [];
  const block = Math.max(1, config.blockSize ?? 50);
  const started = performance.now();
  while (handlerMs.length < config.invocations) {
    const size = Math.min(block, config.invocations - handlerMs.length);
    for (let i = 0; i < size; i++) {
      const call = await invoke(handler, eventText);
      tally(counts, call.outcome);
      handlerMs.push(call.end - call.start);
    }
    for (let i = 0; i < size; i++) floorMs.push(await floorOnce());
  }
  return {
    firstMs: first.end - first.start,
    invocations: 1 + config.warmup + config.invocations,
    measuredMs: performance.now() - started,
    handlerMs,
    floorMs,
    outcomes: counts,
    floorOutcomes: floorCounts,
    memory: process.memoryUsage(),
  };
}

async function sequence() {
  const { handler } = await load();
  const calls = [];
  for (const step of config.steps) {
    if (step.pauseBeforeMs > 0) await new Promise((r) => setTimeout(r, step.pauseBeforeMs));
    const call = await invoke(handler, step.event);
    calls.push({
      label: step.label,
      start: call.start,
      end: call.end,
      outcome: call.outcome,
      summary: summaryOf(call.result),
      error: call.error ? String(call.error?.message ?? call.error) : undefined,
    });
  }
  return { calls };
}

async function timed() {
  const { handler } = await load();
  const counts = {};
  const started = performance.now();
  let invocations = 0;
  while (performance.now() - started < config.durationMs) {
    tally(counts, (await invoke(handler, config.events[0])).outcome);
    invocations++;
    if (config.intervalMs > 0) await new Promise((r) => setTimeout(r, config.intervalMs));
  }
  return { start: started, end: performance.now(), invocations, outcomes: counts };
}

const MODES = { cold, warm, sequence, timed };

async function main() {
  const mode = MODES[config.mode];
  if (!mode) throw new Error(`unknown mode ${config.mode}`);
  const result = await mode();
  writeFileSync(
    config.resultFile,
    JSON.stringify({ ok: true, timeOrigin: performance.timeOrigin, ...result }),
  );
}

main().then(
  () => process.exit(0),
  (error) => {
    try {
      writeFileSync(
        config.resultFile,
        JSON.stringify({ ok: false, error: String(error?.stack ?? error) }),
      );
    } finally {
      process.exit(1);
    }
  },
);
