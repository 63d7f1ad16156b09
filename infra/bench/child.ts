/**
 * What every measurement gets (`Bench`), and the one way it runs a function: a fresh container
 * (infra/local/container.ts) on a bundle, with the environment the deployed function gets, driven
 * through a list of steps or the warm loop.
 */
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { Container, type Invocation } from "../local/container.ts";
import type { Emulator } from "../local/emulator/types.ts";
import type { LocalStack } from "../local/stack.ts";
import { type CfnTemplate, type FunctionSpec, PROJECT_ROOT } from "../template/template.ts";
import type { Bundle } from "./bundles.ts";
import { containerEnvironment } from "./environment.ts";
import type { Row } from "./report.ts";

export type RunnerMode =
  | { mode: "steps"; steps: { event: unknown; pauseBeforeMs: number }[] }
  /** `warmup` then `pairs` pairs of one invocation and one bare fetch, alternating which goes first. */
  | {
      mode: "warm";
      event: unknown;
      warmup: number;
      pairs: number;
      fetchUrl: string;
      token: string;
    };

/** Times are ms since the container's process started (`performance.now()` inside it). */
export interface Step {
  start: number;
  end: number;
  /** The API status ("200"), "ok" for another result, or "error:<name>: <message>". */
  outcome: string;
  /** The scheduled summary (its lists cut short), or the API status and body size. */
  summary: unknown;
}

/** `initMs`: the container's process start to its module imported (Lambda's INIT). */
export type RunnerResult = { timeOrigin: number; initMs: number } & (
  | { mode: "steps"; steps: Step[] }
  | { mode: "warm"; handlerMs: number[]; fetchMs: number[]; outcomes: string[] }
);

export interface BenchFunction {
  spec: FunctionSpec;
  /** What `sam build` ships. */
  bundle: Bundle;
  /** The least any implementation must do (floor/), built with the same settings. */
  floor: Bundle;
}

export interface Bench {
  quick: boolean;
  template: CfnTemplate;
  search: BenchFunction;
  scheduled: BenchFunction;
  stack: LocalStack;
  emulator: Emulator;
  /** The emulator URL SearchFunction requests for events/search-http-api.json. */
  searchUrl: string;
  /** Where runs write their results and the functions' output. */
  filesDir: string;
  /** The container host, bundled for plain `node` (buildContainerHost). */
  hostFile: string;
  /** Extra `node` flags for warm containers (--cpu-prof). */
  warmNodeArgs: string[];
  progress(line: string): void;
}

/** One figure (or a few) of the table; the JSON report keeps its details too. */
export interface Measurement {
  name: string;
  run(bench: Bench): Promise<{ rows: Row[]; details: unknown }>;
}

/**
 * SearchFunction on the Spotify path, every request a miss: no response cache (CACHE_TTL_SECONDS=0)
 * and no shared table, so the cold and warm figures time our code around one Spotify call, not
 * moto's DynamoDB. Cache hits are a figure of their own.
 */
export const CACHING_OFF = { CACHE_TTL_SECONDS: "0", CACHE_TABLE_NAME: "" };

/**
 * Runs `bundle` of `fn` in a fresh container and returns what `mode` measured. The function's
 * output goes to `<filesDir>/<label>.log`; a container that fails its INIT, dies, or outlives
 * `timeoutMs` in all is an error.
 */
export async function runContainer(
  bench: Bench,
  fn: BenchFunction,
  bundle: Bundle,
  mode: RunnerMode,
  options: { label: string; env?: Record<string, string>; nodeArgs?: string[]; timeoutMs?: number },
): Promise<RunnerResult> {
  const container = await Container.start({
    module: bundle.file,
    exportName: bundle.exportName,
    fn: { functionName: fn.spec.logicalId, memoryMb: fn.spec.memorySize },
    env: containerEnvironment(
      fn.spec,
      bench.template,
      bench.stack.resources,
      bench.stack.env,
      options.env,
    ),
    logFile: join(bench.filesDir, `${options.label}.log`),
    host: bench.hostFile,
    nodeArgs: options.nodeArgs,
  });
  const timer = setTimeout(() => void container.stop(), options.timeoutMs ?? 120_000);
  const invoke = async (event: unknown) => {
    const invocation = await container.invoke(event, fn.spec.timeout * 1000);
    if (!container.alive) {
      throw new Error(`${options.label}: the container ended (${invocation.error})`);
    }
    return step(invocation);
  };
  try {
    const { timeOrigin, initMs } = container;
    if (mode.mode === "steps") {
      const steps: Step[] = [];
      for (const { event, pauseBeforeMs } of mode.steps) {
        if (pauseBeforeMs > 0) await new Promise((r) => setTimeout(r, pauseBeforeMs));
        steps.push(await invoke(event));
      }
      return { timeOrigin, initMs, mode: "steps", steps };
    }
    return { timeOrigin, initMs, mode: "warm", ...(await warm(container, mode, invoke)) };
  } finally {
    clearTimeout(timer);
    await container.stop();
  }
}

function step(invocation: Invocation): Step {
  const { start, end, result, error, detail } = invocation;
  if (error !== undefined) {
    return { start, end, outcome: `error:${error}: ${detail ?? ""}`, summary: undefined };
  }
  const status = (result as { statusCode?: unknown } | undefined)?.statusCode;
  if (typeof status === "number") {
    const body = String((result as { body?: unknown }).body ?? "");
    return { start, end, outcome: String(status), summary: { status, bodyBytes: body.length } };
  }
  const { failures, skippedQueries: _skipped, ...rest } = (result ?? {}) as Record<string, unknown>;
  const summary = { ...rest, failures: Array.isArray(failures) ? failures.slice(0, 3) : failures };
  return { start, end, outcome: "ok", summary };
}

/** Invocations paired with bare fetches timed in the same container, the order alternating. */
async function warm(
  container: Container,
  cfg: Extract<RunnerMode, { mode: "warm" }>,
  invoke: (event: unknown) => Promise<Step>,
) {
  const headers = { authorization: `Bearer ${cfg.token}`, accept: "application/json" };
  const handlerMs: number[] = [];
  const fetchMs: number[] = [];
  const outcomes = new Set<string>();
  for (let i = 0; i < cfg.warmup + cfg.pairs; i++) {
    const measured = i >= cfg.warmup;
    // Alternating the order cancels any advantage of going first (or second) in a pair.
    if (i % 2 === 1) {
      const ms = await container.fetch(cfg.fetchUrl, headers);
      if (measured) fetchMs.push(ms);
    }
    const call = await invoke(cfg.event);
    outcomes.add(call.outcome);
    if (measured) handlerMs.push(call.end - call.start);
    if (i % 2 === 0) {
      const ms = await container.fetch(cfg.fetchUrl, headers);
      if (measured) fetchMs.push(ms);
    }
  }
  return { handlerMs, fetchMs, outcomes: [...outcomes] };
}

/** A run's only steps result, or an error naming what came back instead. */
export function stepsOf(result: RunnerResult) {
  if (result.mode !== "steps") throw new Error("expected a steps result");
  return result.steps;
}

/** A sample event from events/, parsed. */
export function event(name: string): unknown {
  return JSON.parse(readFileSync(resolve(PROJECT_ROOT, "events", name), "utf8"));
}

/** One discarded cold SearchFunction run; the URL it requested is what the floors fetch. */
export async function probeSearchUrl(bench: Bench): Promise<string> {
  const before = bench.emulator.requests.length;
  const [first] = stepsOf(
    await runContainer(
      bench,
      bench.search,
      bench.search.bundle,
      { mode: "steps", steps: [{ event: event("search-http-api.json"), pauseBeforeMs: 0 }] },
      { label: "probe-SearchFunction", env: CACHING_OFF },
    ),
  );
  const request = bench.emulator.requests.slice(before).find((r) => r.endpoint === "search");
  if (first?.outcome !== "200" || !request) {
    throw new Error(
      `SearchFunction did not answer 200 from the emulator: ${JSON.stringify(first)}`,
    );
  }
  return `${bench.emulator.url}${request.rawUrl}`;
}
