/**
 * Spawns the bench's child processes (`node infra/bench/runner.mjs <config>`) with the environment
 * a deployed function gets, and keeps track of them so an interrupted bench stops each by its PID.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { closeSync, fstatSync, openSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { epochNow } from "../local/aws-proxy.ts";
import type { FunctionSpec } from "../template.ts";

export const RUNNER = fileURLToPath(new URL("./runner.mjs", import.meta.url));

interface BaseConfig {
  bundle: string;
  exportName: string;
  functionName: string;
  timeoutMs: number;
  memoryMb: number;
}

export type RunnerConfig = BaseConfig &
  (
    | { mode: "cold"; events: [string] }
    | {
        mode: "warm";
        events: [string];
        warmup: number;
        invocations: number;
        blockSize: number;
        floorUrl: string;
        floorToken: string;
      }
    | {
        mode: "sequence";
        steps: { label: string; event: string; pauseBeforeMs: number }[];
      }
    | { mode: "timed"; events: [string]; durationMs: number; intervalMs: number }
  );

/** What every runner result carries (see runner.mjs); the rest depends on the mode. */
export interface RunnerResult {
  ok: boolean;
  error?: string;
  /** The child's time origin (its start) on the epoch clock. */
  timeOrigin: number;
}

export interface ColdResult extends RunnerResult {
  runnerStart: number;
  importStart: number;
  importEnd: number;
  invokeStart: number;
  invokeEnd: number;
  outcome: string;
  summary: unknown;
  nodeTiming: Record<string, number>;
}

export interface WarmResult extends RunnerResult {
  firstMs: number;
  invocations: number;
  measuredMs: number;
  handlerMs: number[];
  floorMs: number[];
  outcomes: Record<string, number>;
  floorOutcomes: Record<string, number>;
  memory: Record<string, number>;
}

export interface SequenceResult extends RunnerResult {
  calls: {
    label: string;
    start: number;
    end: number;
    outcome: string;
    summary: unknown;
    error?: string;
  }[];
}

export interface TimedResult extends RunnerResult {
  start: number;
  end: number;
  invocations: number;
  outcomes: Record<string, number>;
}

export interface ChildRun<T> {
  result: T;
  /** Epoch ms just before spawn and when the exit was seen (the parent's view). */
  spawnedAt: number;
  exitedAt: number;
  /** Bytes the function wrote to stdout (its log lines and EMF records). */
  stdoutBytes: number;
}

const running = new Set<ChildProcess>();

/** Stops every child still running, each by its own PID. */
export function killRunningChildren(): void {
  for (const child of running) {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  }
}

let sequence = 0;

/**
 * Runs the runner once and returns its JSON result. The child's stdout (the function's own output)
 * goes to `logFile`; a child that fails, writes no result, or outlives `timeoutMs` is an error.
 */
export async function runChild<T extends RunnerResult>(
  config: RunnerConfig,
  env: Record<string, string>,
  options: { workDir: string; logFile: string; timeoutMs: number; nodeArgs?: string[] },
): Promise<ChildRun<T>> {
  const resultFile = join(options.workDir, `result-${process.pid}-${++sequence}.json`);
  const out = openSync(options.logFile, "a");
  const before = sizeOf(out);
  let stderr = "";
  const spawnedAt = epochNow();
  const child = spawn(
    process.execPath,
    [...(options.nodeArgs ?? []), RUNNER, JSON.stringify({ ...config, resultFile })],
    {
      env,
      stdio: ["ignore", out, "pipe"],
    },
  );
  running.add(child);
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs);
  try {
    const code = await new Promise<number | null>((resolve, reject) => {
      child.once("error", reject);
      child.once("exit", (exitCode) => resolve(exitCode));
    });
    const exitedAt = epochNow();
    let text: string;
    try {
      text = readFileSync(resultFile, "utf8");
    } catch {
      throw new Error(
        `runner (${config.mode} ${config.bundle}) exited with ${code ?? child.signalCode} and no result\n${stderr}`,
      );
    }
    const result = JSON.parse(text) as T;
    if (!result.ok || code !== 0) {
      throw new Error(
        `runner (${config.mode} ${config.bundle}) failed: ${result.error}\n${stderr}`,
      );
    }
    return { result, spawnedAt, exitedAt, stdoutBytes: sizeOf(out) - before };
  } finally {
    clearTimeout(timer);
    running.delete(child);
    closeSync(out);
    rmSync(resultFile, { force: true });
  }
}

function sizeOf(fd: number): number {
  return fstatSync(fd).size;
}

/**
 * The environment a deployed function gets: the template's literal variables (Globals merged in;
 * references such as `!Ref LogLevel` get their local value), the local stack's endpoints, and the
 * variables the Lambda runtime itself sets. `sourceMaps: false` drops the template's
 * `NODE_OPTIONS=--enable-source-maps`; `extra` overrides the rest.
 */
export function lambdaEnvironment(
  fn: FunctionSpec,
  stackEnv: Record<string, string>,
  options: { sourceMaps: boolean; extra?: Record<string, string> },
): Record<string, string> {
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? "/usr/local/bin:/usr/bin:/bin",
    LANG: "en_US.UTF-8",
    TZ: ":UTC",
    AWS_LAMBDA_FUNCTION_NAME: fn.logicalId,
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(fn.memorySize),
    AWS_LAMBDA_FUNCTION_VERSION: "$LATEST",
    AWS_LAMBDA_LOG_FORMAT: "JSON",
    AWS_LAMBDA_LOG_LEVEL: "INFO",
    AWS_EXECUTION_ENV: `AWS_Lambda_${fn.runtime}`,
    // Powertools reads it: without it every invocation counts as warm (cold_start false).
    AWS_LAMBDA_INITIALIZATION_TYPE: "on-demand",
    AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${fn.logicalId}`,
    AWS_LAMBDA_LOG_STREAM_NAME: "bench/[$LATEST]0",
    _HANDLER: fn.handler,
    // Values of the template's parameter references, as deployed with the defaults.
    POWERTOOLS_LOG_LEVEL: "INFO",
    SPOTIFY_MAX_LIMIT: "10",
  };
  for (const [name, value] of Object.entries(fn.environment)) {
    if (typeof value === "string") env[name] = value;
  }
  Object.assign(env, stackEnv);
  if (env.AWS_REGION) env.AWS_DEFAULT_REGION = env.AWS_REGION;
  if (!options.sourceMaps) {
    const rest = (env.NODE_OPTIONS ?? "")
      .split(/\s+/)
      .filter((flag) => flag !== "" && flag !== "--enable-source-maps");
    if (rest.length > 0) env.NODE_OPTIONS = rest.join(" ");
    else delete env.NODE_OPTIONS;
  }
  Object.assign(env, options.extra);
  return env;
}
