/**
 * What every measurement gets (`Bench`), and the one way it runs a function: a fresh `node` child
 * running the runner on a bundle, with the environment the deployed function gets.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { closeSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import type { Emulator } from "../local/emulator/types.ts";
import type { LocalStack } from "../local/stack.ts";
import { functionEnvironment, lambdaRuntimeVariables } from "../template/function-environment.ts";
import { type CfnTemplate, type FunctionSpec, PROJECT_ROOT } from "../template/template.ts";
import type { Bundle } from "./bundles.ts";
import type { Row } from "./report.ts";
import type { RunnerConfig, RunnerMode, RunnerResult } from "./runner.ts";

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
  /** The runner, bundled for plain `node`. */
  runnerFile: string;
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

const running = new Set<ChildProcess>();
let sequence = 0;

/** Stops every child still running, each by its own PID. */
export function stopChildren(): void {
  for (const child of running) if (child.exitCode === null) child.kill("SIGKILL");
}

/**
 * Runs `bundle` of `fn` in a fresh container and returns the runner's result. The function's
 * stdout goes to `<filesDir>/<label>.log`; a failed or silent child, or one that outlives
 * `timeoutMs`, is an error.
 */
export async function runContainer(
  bench: Bench,
  fn: BenchFunction,
  bundle: Bundle,
  mode: RunnerMode,
  options: { label: string; env?: Record<string, string>; nodeArgs?: string[]; timeoutMs?: number },
): Promise<RunnerResult> {
  const resultFile = join(bench.filesDir, `result-${++sequence}.json`);
  const config = {
    ...mode,
    bundle: bundle.file,
    exportName: bundle.exportName,
    functionName: fn.spec.logicalId,
    memoryMb: fn.spec.memorySize,
    timeoutMs: fn.spec.timeout * 1000,
    resultFile,
  } as RunnerConfig;
  const log = openSync(join(bench.filesDir, `${options.label}.log`), "a");
  // A file, not an argument: a long list of steps is more than a command line holds.
  const configFile = join(bench.filesDir, `config-${sequence}.json`);
  writeFileSync(configFile, JSON.stringify(config));
  const args = [...(options.nodeArgs ?? []), bench.runnerFile, configFile];
  const child = spawn(process.execPath, args, {
    env: lambdaEnvironment(bench, fn.spec, options.env),
    stdio: ["ignore", log, "pipe"],
  });
  running.add(child);
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 120_000);
  try {
    const code = await new Promise<number | null>((resolve, reject) => {
      child.once("error", reject);
      child.once("exit", resolve);
    });
    if (code !== 0) throw new Error(`${options.label}: the runner exited ${code}\n${stderr}`);
    return JSON.parse(readFileSync(resultFile, "utf8")) as RunnerResult;
  } finally {
    clearTimeout(timer);
    running.delete(child);
    closeSync(log);
    rmSync(resultFile, { force: true });
    rmSync(configFile, { force: true });
  }
}

/**
 * The deployed function's environment: the template's variables resolved against the local stack
 * (infra/template/function-environment.ts), the stack's endpoints, and what the Lambda runtime sets.
 */
function lambdaEnvironment(
  bench: Bench,
  fn: FunctionSpec,
  extra: Record<string, string> = {},
): Record<string, string> {
  const { resources, env } = bench.stack;
  return {
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    LANG: "en_US.UTF-8",
    TZ: ":UTC",
    AWS_DEFAULT_REGION: env.AWS_REGION ?? "us-east-1",
    ...functionEnvironment(bench.template, fn.logicalId, {
      resources,
      overrides: { ...lambdaRuntimeVariables(fn), ...env, ...extra },
    }),
  };
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
