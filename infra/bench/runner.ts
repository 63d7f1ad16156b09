/**
 * The bench's child process, bundled by the bench into plain JavaScript and run by plain `node`
 * (no tsx), one fresh process per container, the way the Lambda runtime loads a function. It
 * imports a built bundle, invokes its handler as the config (the JSON file argv[2]) asks, writes one JSON
 * result to `resultFile` and exits. The function's own output goes to the stdout it was given.
 * Times are `performance.now()`: ms since this process started.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { lambdaContext } from "../local/lambda-context.ts";

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

export type RunnerConfig = RunnerMode & {
  bundle: string;
  exportName: string;
  functionName: string;
  memoryMb: number;
  timeoutMs: number;
  resultFile: string;
};

export interface Step {
  start: number;
  end: number;
  /** The API status ("200"), "ok" for another result, or "error:<name>". */
  outcome: string;
  /** The scheduled summary (its lists cut short), or the API status and body size. */
  summary: unknown;
}

export type RunnerResult = { timeOrigin: number } & (
  | { mode: "steps"; steps: Step[] }
  | { mode: "warm"; handlerMs: number[]; fetchMs: number[]; outcomes: string[] }
);

type Handler = (event: unknown, context: unknown) => Promise<unknown>;

const config = JSON.parse(readFileSync(process.argv[2] ?? "", "utf8")) as RunnerConfig;
const fn = { functionName: config.functionName, memoryMb: config.memoryMb };

async function invoke(handler: Handler, event: unknown): Promise<Step> {
  const copy = structuredClone(event);
  const context = lambdaContext(config.timeoutMs, Date.now, fn);
  const start = performance.now();
  let result: unknown;
  let outcome = "ok";
  try {
    result = await handler(copy, context);
  } catch (error) {
    outcome = `error:${(error as Error)?.name}: ${(error as Error)?.message}`;
  }
  const end = performance.now();
  const status = (result as { statusCode?: unknown } | undefined)?.statusCode;
  if (typeof status === "number") {
    const body = String((result as { body?: unknown }).body ?? "");
    return { start, end, outcome: String(status), summary: { status, bodyBytes: body.length } };
  }
  const { failures, skippedQueries, ...rest } = (result ?? {}) as Record<string, unknown>;
  const summary = { ...rest, failures: Array.isArray(failures) ? failures.slice(0, 3) : failures };
  return { start, end, outcome, summary };
}

async function steps(handler: Handler, list: { event: unknown; pauseBeforeMs: number }[]) {
  const done: Step[] = [];
  for (const step of list) {
    if (step.pauseBeforeMs > 0) await new Promise((r) => setTimeout(r, step.pauseBeforeMs));
    done.push(await invoke(handler, step.event));
  }
  return done;
}

async function warm(handler: Handler, cfg: Extract<RunnerConfig, { mode: "warm" }>) {
  const init = { headers: { authorization: `Bearer ${cfg.token}`, accept: "application/json" } };
  const bareFetch = async () => {
    const start = performance.now();
    const response = await fetch(cfg.fetchUrl, init);
    await response.text();
    const ms = performance.now() - start;
    if (response.status !== 200) throw new Error(`the bare fetch answered ${response.status}`);
    return ms;
  };
  const handlerMs: number[] = [];
  const fetchMs: number[] = [];
  const outcomes = new Set<string>();
  for (let i = 0; i < cfg.warmup + cfg.pairs; i++) {
    const measured = i >= cfg.warmup;
    // Alternating the order cancels any advantage of going first (or second) in a pair.
    if (i % 2 === 1) {
      const ms = await bareFetch();
      if (measured) fetchMs.push(ms);
    }
    const call = await invoke(handler, cfg.event);
    outcomes.add(call.outcome);
    if (measured) handlerMs.push(call.end - call.start);
    if (i % 2 === 0) {
      const ms = await bareFetch();
      if (measured) fetchMs.push(ms);
    }
  }
  return { handlerMs, fetchMs, outcomes: [...outcomes] };
}

async function main(): Promise<RunnerResult> {
  const module = (await import(pathToFileURL(config.bundle).href)) as Record<string, unknown>;
  const handler = module[config.exportName];
  if (typeof handler !== "function") throw new Error(`${config.bundle}: no ${config.exportName}`);
  const timeOrigin = performance.timeOrigin;
  if (config.mode === "steps") {
    return { timeOrigin, mode: "steps", steps: await steps(handler as Handler, config.steps) };
  }
  return { timeOrigin, mode: "warm", ...(await warm(handler as Handler, config)) };
}

main().then(
  (result) => {
    writeFileSync(config.resultFile, JSON.stringify(result));
    process.exit(0);
  },
  (error: unknown) => {
    process.stderr.write(`${(error as Error)?.stack ?? error}\n`);
    process.exit(1);
  },
);
