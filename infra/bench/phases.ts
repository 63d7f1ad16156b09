/**
 * The bench's measurements, each against the local stack (moto behind the counting proxy, the
 * Spotify emulator in this process) and each in fresh `node` child processes running
 * infra/bench/runner.mjs on a built bundle.
 */
import { join } from "node:path";
import { type CountingProxy, GET_SECRET_VALUE } from "../local/aws-proxy.ts";
import type { Emulator } from "../local/emulator/types.ts";
import type { FunctionSpec } from "../template.ts";
import type { Bundle } from "./builds.ts";
import {
  type ColdResult,
  lambdaEnvironment,
  type RunnerConfig,
  runChild,
  type SequenceResult,
  type TimedResult,
  type WarmResult,
} from "./child.ts";
import { median, type Summary, summarize } from "./stats.ts";

export interface Bench {
  emulator: Emulator;
  proxy: CountingProxy;
  /** The local stack's environment with AWS_ENDPOINT_URL pointing at the counting proxy. */
  stackEnv: Record<string, string>;
  workDir: string;
  logDir: string;
}

/** Where the wire counters stood before a run. */
interface Mark {
  awsCalls: number;
  emulatorRequests: number;
}

function mark(bench: Bench): Mark {
  return {
    awsCalls: bench.proxy.calls.length,
    emulatorRequests: bench.emulator.requests.length,
  };
}

function since(bench: Bench, from: Mark) {
  const aws = bench.proxy.calls.slice(from.awsCalls);
  const spotify = bench.emulator.requests.slice(from.emulatorRequests);
  return {
    aws,
    spotify,
    secretReads: aws.filter((call) => call.operation === GET_SECRET_VALUE).length,
    tokens: spotify.filter((request) => request.endpoint === "token").length,
    searches: spotify.filter((request) => request.endpoint === "search"),
  };
}

function configBase(fn: FunctionSpec, bundle: Bundle) {
  return {
    bundle: bundle.file,
    exportName: bundle.exportName,
    functionName: fn.logicalId,
    timeoutMs: fn.timeout * 1000,
    memoryMb: fn.memorySize,
  };
}

// ------------------------------------------------------------------------------------ cold start

export interface ColdVariant {
  /** Unique key, e.g. `search/deployed`, `search/deployed-nosm`, `search/floor`. */
  key: string;
  fn: FunctionSpec;
  bundle: Bundle;
  sourceMaps: boolean;
  event: string;
  /** The outcome a happy first invocation has ("200" for the API, "ok" for the schedule). */
  expect: string;
  extraEnv?: Record<string, string>;
}

export interface ColdSample {
  /** Process start → first invocation done (the cold start). */
  totalMs: number;
  /** Process start → runner running (Node's own bootstrap). */
  bootMs: number;
  /** `await import(bundle)`. */
  importMs: number;
  /** The first invocation (secret read, token fetch and search included). */
  invokeMs: number;
  /** Spawn → exit, as the parent saw it. */
  wallMs: number;
  /** Invocation start → first AWS request on the wire (SDK client set-up, signing). */
  toFirstAwsMs: number;
  /** First AWS request → token request on the wire (moto's answer, credentials parsed). */
  awsToTokenMs: number;
  /** Token request → first search request on the wire. */
  tokenToSearchMs: number;
  /** First search request → invocation done (the search page, and for the schedule the rest). */
  searchToDoneMs: number;
  /** Time some AWS call to moto was outstanding (the union of their intervals, at the proxy). */
  motoMs: number;
  /** totalMs − motoMs: the cold start without moto's own (noisy) service time. */
  localMs: number;
  tokens: number;
  secretReads: number;
}

export interface ColdVariantResult {
  key: string;
  bundle: string;
  sourceMaps: boolean;
  samples: ColdSample[];
  median: Record<keyof ColdSample, number>;
}

/** Total length of the union of [start, end] intervals. */
export function unionMs(intervals: readonly (readonly [number, number])[]): number {
  const sorted = [...intervals].sort((a, b) => a[0] - b[0]);
  let total = 0;
  let start = Number.NEGATIVE_INFINITY;
  let end = Number.NEGATIVE_INFINITY;
  for (const [from, to] of sorted) {
    if (from > end) {
      if (end > start) total += end - start;
      start = from;
      end = to;
    } else if (to > end) {
      end = to;
    }
  }
  if (end > start) total += end - start;
  return total;
}

function coldSample(
  bench: Bench,
  from: Mark,
  run: { result: ColdResult; spawnedAt: number; exitedAt: number },
): ColdSample {
  const { result } = run;
  const wire = since(bench, from);
  const at = (t: number) => result.timeOrigin + t;
  const firstAws = wire.aws[0]?.at ?? Number.NaN;
  const token = wire.spotify.find((r) => r.endpoint === "token")?.receivedAt ?? Number.NaN;
  const search = wire.searches[0]?.receivedAt ?? Number.NaN;
  const motoMs = unionMs(wire.aws.map((call) => [call.at, call.doneAt ?? call.at] as const));
  return {
    totalMs: result.invokeEnd,
    bootMs: result.runnerStart,
    importMs: result.importEnd - result.importStart,
    invokeMs: result.invokeEnd - result.invokeStart,
    wallMs: run.exitedAt - run.spawnedAt,
    toFirstAwsMs: firstAws - at(result.invokeStart),
    awsToTokenMs: token - firstAws,
    tokenToSearchMs: search - token,
    searchToDoneMs: at(result.invokeEnd) - search,
    motoMs,
    localMs: result.invokeEnd - motoMs,
    tokens: wire.tokens,
    secretReads: wire.secretReads,
  };
}

async function coldOnce(bench: Bench, variant: ColdVariant) {
  const config: RunnerConfig = {
    mode: "cold",
    ...configBase(variant.fn, variant.bundle),
    events: [variant.event],
  };
  const env = lambdaEnvironment(variant.fn, bench.stackEnv, {
    sourceMaps: variant.sourceMaps,
    extra: variant.extraEnv,
  });
  const from = mark(bench);
  const run = await runChild<ColdResult>(config, env, {
    workDir: bench.workDir,
    logFile: join(bench.logDir, `cold-${variant.key.replaceAll("/", "-")}.log`),
    timeoutMs: 60_000,
  });
  if (run.result.outcome !== variant.expect) {
    throw new Error(
      `${variant.key}: the first invocation ended ${run.result.outcome}, not ${variant.expect}: ${JSON.stringify(run.result.summary)}`,
    );
  }
  // Let the emulator and the proxy finish recording the run's last requests.
  await new Promise((resolve) => setImmediate(resolve));
  return coldSample(bench, from, run);
}

/** A small seeded PRNG (mulberry32), so the run order is shuffled but repeatable. */
function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function shuffled<T>(items: readonly T[], random: () => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

/**
 * Cold starts, `runs` per variant, in rounds: every variant once per round, in a shuffled order,
 * so drift and neighbour effects hit every variant alike. `warmupRounds` discarded rounds first
 * warm the file cache, moto and the emulator.
 */
export async function measureColdStarts(
  bench: Bench,
  variants: readonly ColdVariant[],
  runs: number,
  warmupRounds: number,
  progress: (line: string) => void,
): Promise<Record<string, ColdVariantResult>> {
  const random = prng(0x5eed);
  for (let round = 0; round < warmupRounds; round++) {
    for (const variant of shuffled(variants, random)) await coldOnce(bench, variant);
  }
  const samples = new Map<string, ColdSample[]>(variants.map((v) => [v.key, []]));
  for (let round = 0; round < runs; round++) {
    for (const variant of shuffled(variants, random)) {
      samples.get(variant.key)?.push(await coldOnce(bench, variant));
    }
    progress(`cold starts: round ${round + 1}/${runs}`);
  }
  const results: Record<string, ColdVariantResult> = {};
  for (const variant of variants) {
    const list = samples.get(variant.key) ?? [];
    const medians = {} as Record<keyof ColdSample, number>;
    for (const field of Object.keys(list[0] ?? {}) as (keyof ColdSample)[]) {
      medians[field] = median(list.map((sample) => sample[field]));
    }
    results[variant.key] = {
      key: variant.key,
      bundle: variant.bundle.file,
      sourceMaps: variant.sourceMaps,
      samples: list,
      median: medians,
    };
  }
  return results;
}

/** Runs the search function once cold and returns the URL it requested from the emulator. */
export async function probeSearchUrl(bench: Bench, variant: ColdVariant): Promise<string> {
  const from = mark(bench);
  await coldOnce(bench, variant);
  const search = since(bench, from).searches[0];
  if (!search) throw new Error("the search function requested no search page");
  return `${bench.emulator.url}${search.rawUrl}`;
}

// ------------------------------------------------------------------------------------ warm

export interface WarmVariant {
  key: string;
  fn: FunctionSpec;
  bundle: Bundle;
  sourceMaps: boolean;
  event: string;
}

export interface WarmVariantResult {
  key: string;
  sourceMaps: boolean;
  invocations: number;
  handler: Summary;
  floor: Summary;
  firstMs: number;
  outcomes: Record<string, number>;
  floorOutcomes: Record<string, number>;
  tokens: number;
  secretReads: number;
  stdoutBytesPerInvocation: number;
  heapUsedBytes: number;
}

/**
 * One warm container per variant: a child imports the bundle, serves one cold and `warmup` warm
 * invocations, then `invocations` measured ones beside as many bare fetches of the same emulator
 * URL with a valid token (the floor), in alternating blocks of 50.
 */
export async function measureWarm(
  bench: Bench,
  variant: WarmVariant,
  options: {
    invocations: number;
    warmup: number;
    floorUrl: string;
    /** Every invocation's outcome must be this ("200" for the API, "ok" for the schedule). */
    expect: string;
    extraEnv?: Record<string, string>;
    /** Extra `node` flags for the child (e.g. --cpu-prof). */
    nodeArgs?: string[];
  },
): Promise<WarmVariantResult> {
  const config: RunnerConfig = {
    mode: "warm",
    ...configBase(variant.fn, variant.bundle),
    events: [variant.event],
    warmup: options.warmup,
    invocations: options.invocations,
    blockSize: 50,
    floorUrl: options.floorUrl,
    floorToken: bench.emulator.issueToken(),
  };
  const env = lambdaEnvironment(variant.fn, bench.stackEnv, {
    sourceMaps: variant.sourceMaps,
    extra: options.extraEnv,
  });
  const from = mark(bench);
  const run = await runChild<WarmResult>(config, env, {
    workDir: bench.workDir,
    logFile: join(bench.logDir, `warm-${variant.key.replaceAll("/", "-")}.log`),
    timeoutMs: 300_000,
    nodeArgs: options.nodeArgs,
  });
  const { result } = run;
  const unhappy = Object.keys(result.outcomes).filter((outcome) => outcome !== options.expect);
  const floorUnhappy = Object.keys(result.floorOutcomes).filter((outcome) => outcome !== "200");
  if (unhappy.length > 0 || floorUnhappy.length > 0) {
    throw new Error(
      `${variant.key}: warm invocations were not all 200: ${JSON.stringify(result.outcomes)}, floor ${JSON.stringify(result.floorOutcomes)}`,
    );
  }
  const wire = since(bench, from);
  return {
    key: variant.key,
    sourceMaps: variant.sourceMaps,
    invocations: result.invocations,
    handler: summarize(result.handlerMs),
    floor: summarize(result.floorMs),
    firstMs: result.firstMs,
    outcomes: result.outcomes,
    floorOutcomes: result.floorOutcomes,
    tokens: wire.tokens,
    secretReads: wire.secretReads,
    stdoutBytesPerInvocation: run.stdoutBytes / result.invocations,
    heapUsedBytes: result.memory.heapUsed ?? 0,
  };
}

// ------------------------------------------------------------------------------------ token lifetime

export interface TokenLifetimeResult {
  lifetimeSeconds: number;
  expiryMarginSeconds: number;
  durationMs: number;
  invocations: number;
  tokens: number;
  secretReads: number;
  /** ceil(duration / lifetime): one token per token lifetime the run spans. */
  lifetimesSpanned: number;
  outcomes: Record<string, number>;
}

/**
 * One warm container invoked every `intervalMs` for `durationMs` while the emulator issues tokens
 * that live `lifetimeSeconds`: counts the token requests against the lifetimes the run spans.
 */
export async function measureTokenLifetime(
  bench: Bench,
  fn: FunctionSpec,
  bundle: Bundle,
  event: string,
  options: { lifetimeSeconds: number; marginSeconds: number; durationMs: number },
): Promise<TokenLifetimeResult> {
  const previous = bench.emulator.config.tokenLifetimeSeconds;
  bench.emulator.setTokenLifetime(options.lifetimeSeconds);
  try {
    const config: RunnerConfig = {
      mode: "timed",
      ...configBase(fn, bundle),
      events: [event],
      durationMs: options.durationMs,
      intervalMs: 5,
    };
    const env = lambdaEnvironment(fn, bench.stackEnv, {
      sourceMaps: true,
      extra: { TOKEN_EXPIRY_MARGIN_SECONDS: String(options.marginSeconds) },
    });
    const from = mark(bench);
    const run = await runChild<TimedResult>(config, env, {
      workDir: bench.workDir,
      logFile: join(bench.logDir, "token-lifetime.log"),
      timeoutMs: options.durationMs + 60_000,
    });
    const wire = since(bench, from);
    const durationMs = run.result.end - run.result.start;
    return {
      lifetimeSeconds: options.lifetimeSeconds,
      expiryMarginSeconds: options.marginSeconds,
      durationMs,
      invocations: run.result.invocations,
      tokens: wire.tokens,
      secretReads: wire.secretReads,
      lifetimesSpanned: Math.ceil(durationMs / (options.lifetimeSeconds * 1000)),
      outcomes: run.result.outcomes,
    };
  } finally {
    bench.emulator.setTokenLifetime(previous);
  }
}

// ------------------------------------------------------------------------------------ throughput

export interface ThroughputResult {
  windowMs: number;
  maxRequests: number;
  /** maxRequests per second: the most the window lets through. */
  windowMaxPerSecond: number;
  searches: number;
  succeeded: number;
  failed: number;
  skipped: number;
  invocationMs: number;
  /** Successful searches / invocation time. */
  endToEndPerSecond: number;
  /**
   * The best end-to-end rate for `searches` searches: a client that fills every window at once
   * finishes after (ceil(searches / maxRequests) − 1) windows, the first window being free.
   */
  endToEndBestPerSecond: number;
  /** (admitted − one window's worth) / (last admitted − first admitted): the sustained rate. */
  steadyPerSecond: number;
  admitted: number;
  rateLimited: number;
}

/**
 * The scheduled function, warm (one warm-up search first, then a pause of one window), runs a batch
 * of `searches` one-page searches while the emulator admits `maxRequests` per `windowMs`.
 */
export async function measureThroughput(
  bench: Bench,
  fn: FunctionSpec,
  bundle: Bundle,
  options: { searches: number; windowMs: number; maxRequests: number },
): Promise<ThroughputResult> {
  const queries = Array.from({ length: options.searches }, (_, i) => ({
    q: `bench ${i + 1}`,
    type: "track",
  }));
  const warmupEvent = JSON.stringify({
    id: "bench-warmup",
    queries: [{ q: "warm", type: "artist" }],
  });
  const mainEvent = JSON.stringify({ id: "bench-throughput", queries });
  const config: RunnerConfig = {
    mode: "sequence",
    ...configBase(fn, bundle),
    steps: [
      { label: "warmup", event: warmupEvent, pauseBeforeMs: 0 },
      { label: "batch", event: mainEvent, pauseBeforeMs: options.windowMs + 100 },
    ],
  };
  const env = lambdaEnvironment(fn, bench.stackEnv, { sourceMaps: true });
  bench.emulator.setRateLimit({ windowMs: options.windowMs, maxRequests: options.maxRequests });
  try {
    const run = await runChild<SequenceResult>(config, env, {
      workDir: bench.workDir,
      logFile: join(bench.logDir, "throughput.log"),
      timeoutMs: 300_000,
    });
    const batch = run.result.calls.find((call) => call.label === "batch");
    if (!batch) throw new Error("the throughput run has no batch invocation");
    if (batch.outcome !== "ok") throw new Error(`the throughput batch failed: ${batch.error}`);
    const from = run.result.timeOrigin + batch.start;
    const to = run.result.timeOrigin + batch.end;
    const searches = bench.emulator.requests.filter(
      (r) =>
        r.endpoint === "search" &&
        r.receivedAt >= Math.floor(from) &&
        r.receivedAt <= Math.ceil(to),
    );
    const admitted = searches.filter((r) => r.status === 200);
    const first = admitted[0]?.receivedAt ?? Number.NaN;
    const last = admitted.at(-1)?.receivedAt ?? Number.NaN;
    const summary = batch.summary as { succeeded: number; failed: number; skipped: number };
    const invocationMs = batch.end - batch.start;
    return {
      windowMs: options.windowMs,
      maxRequests: options.maxRequests,
      windowMaxPerSecond: (options.maxRequests * 1000) / options.windowMs,
      searches: options.searches,
      succeeded: summary.succeeded,
      failed: summary.failed,
      skipped: summary.skipped,
      invocationMs,
      endToEndPerSecond: (summary.succeeded * 1000) / invocationMs,
      endToEndBestPerSecond:
        options.searches <= options.maxRequests
          ? Number.POSITIVE_INFINITY
          : (options.searches * 1000) /
            ((Math.ceil(options.searches / options.maxRequests) - 1) * options.windowMs),
      steadyPerSecond: ((admitted.length - options.maxRequests) * 1000) / (last - first),
      admitted: admitted.length,
      rateLimited: searches.filter((r) => r.status === 429).length,
    };
  } finally {
    bench.emulator.setRateLimit(null);
  }
}
