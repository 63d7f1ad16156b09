/**
 * Runs one mode of the fleet simulation: a fresh Spotify emulator (latency, rolling window,
 * optional quota), a fleet of containers importing the built bundle with the mode's environment,
 * and the callers replaying the workload against the fleet. Returns what the callers, the
 * emulator's log, the DynamoDB meter and the containers measured.
 */
import { randomUUID } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { APIGatewayProxyEventV2 } from "aws-lambda";
import { Container, type Invocation } from "../../local/container.ts";
import { startEmulator } from "../../local/emulator/server.ts";
import type { Latency, Quota, RateLimit, RecordedRequest } from "../../local/emulator/types.ts";
import { LOCAL_CLIENT } from "../../local/stack.ts";
import { type CfnTemplate, type FunctionSpec, PROJECT_ROOT } from "../../template/template.ts";
import { containerEnvironment } from "../environment.ts";
import {
  type AfterLockout,
  afterLockout,
  announcedWindows,
  mergeWindows,
  percentile,
  perSecond,
  requestsAfterWindows,
  sumMetrics,
  type UpstreamRecord,
  windowViolations,
} from "./analysis.ts";
import { type CostPerMillion, costPerMillion } from "./cost.ts";
import type { DynamoMeter, DynamoUsage } from "./dynamo-meter.ts";
import { answerOf, ContainerPool } from "./pool.ts";
import { type CallerRequest, seededRandom } from "./workload.ts";

export interface Mode {
  id: number;
  name: string;
  /** A run of mode `id` with other settings (the compression/write-policy comparison). */
  variant?: string;
  /** Variables set (or, when undefined, removed) on top of the template's. */
  env: Record<string, string | undefined>;
  /** Create a fresh cache table for this mode and pass its name as CACHE_TABLE_NAME. */
  sharedTable: boolean;
  /** Sit out one fleet-wide quota lockout longer than the tokens' life (mode 4). */
  lockout?: boolean;
  /** ScheduledFunction runs its paced batch beside the callers, on the shared record (mode 5). */
  batch?: boolean;
}

/** Mode 4's lockout: tokens live `tokenLifetimeSeconds`, the window `windowSeconds` (longer). */
export interface LockoutPlan {
  afterSearches: number;
  windowSeconds: number;
  tokenLifetimeSeconds: number;
}

/** Mode 5's batch: ScheduledFunction's bundle, its queries, and when it starts. */
export interface BatchPlan {
  fn: FunctionSpec;
  bundle: string;
  exportName: string;
  queries: { q: string; type: string; limit: number }[];
  startAfterMs: number;
}

/** Batch queries start with this, so their searches are told apart in Spotify's log. */
export const BATCH_QUERY_PREFIX = "batch ";

export interface Setup {
  fn: FunctionSpec;
  template: CfnTemplate;
  bundle: string;
  exportName: string;
  /** The container host, built for plain `node` (buildContainerHost). */
  host: string;
  /** What the template's resources stand for locally (`!Ref SpotifySecret`, `!Ref CacheTable`). */
  resources: Record<string, string>;
  /** The local stack's part of the environment (AWS endpoint = the meter, region, keys). */
  local: Record<string, string>;
  meter: DynamoMeter;
  createTable: (name: string) => Promise<void>;
  workload: CallerRequest[][];
  containers: number;
  seed: number;
  latency: Latency;
  rateLimit: RateLimit;
  quota: Quota | undefined;
  lockout: LockoutPlan;
  /** Needed by a mode with `batch`. */
  batch: BatchPlan | undefined;
  logDir: string;
  /** Callers stop sending once the mode has run this long. */
  boundMs: number;
  progress: (line: string) => void;
}

export interface ModeResult {
  mode: number;
  name: string;
  variant?: string;
  /** The variables the mode set (compression, write policy, …). */
  env: Record<string, string | undefined>;
  callerRequests: number;
  answered: number;
  statuses: Record<string, number>;
  latencyMs: { p50: number; p99: number; max: number };
  queuedMs: { p99: number };
  upstream: {
    searches: number;
    tokens: number;
    perThousand: number;
    rateLimited: number;
    identities: number;
  };
  windows: {
    announced: number;
    merged: number;
    insideAnnounced: number;
    /** The first of them, times in ms since the run's start, identities as token indexes. */
    insideExamples: {
      identity: number;
      atMs: number;
      windowOf: number;
      toldAtMs: number;
      untilMs: number;
    }[];
    firstSecondAfter: number;
  };
  aws: Omit<DynamoUsage, "roundTripsMs" | "log"> & { roundTripMs: { p50: number; p99: number } };
  lambda: { containers: number; invocations: number; billedMs: number; initMs: number[] };
  logBytes: number;
  /** The function's own EMF metrics over the measured run, summed over the fleet. */
  metrics: Record<string, number>;
  cost: CostPerMillion;
  series: { upstream: number[]; rateLimited: number[] };
  durationMs: number;
  /** Mode 4: the lockout window (ms since the start) and what came right after it. */
  lockout?: AfterLockout & {
    windowFromMs: number;
    windowToMs: number;
    tokenLifetimeSeconds: number;
    /** Token requests while the window lasted. */
    tokensDuringWindow: number;
  };
  /** Mode 5: the batch's own summary and its searches as Spotify saw them. */
  batch?: {
    summary: Record<string, unknown> | undefined;
    error: string | undefined;
    searches: number;
    rateLimited: number;
    /** Batch searches inside a window announced to another identity (API or batch). */
    insideAnnounced: number;
    durationMs: number;
  };
}

interface CallerOutcome {
  status: number;
  sentAt: number;
  doneAt: number;
  queuedMs: number;
  error: string | undefined;
}

const BASE_EVENT = JSON.parse(
  readFileSync(join(PROJECT_ROOT, "events", "search-http-api.json"), "utf8"),
) as APIGatewayProxyEventV2;

/** The HTTP API v2.0 event API Gateway sends for GET /search?<rawQuery>. */
export function searchEvent(rawQuery: string, now: number): APIGatewayProxyEventV2 {
  const single: Record<string, string> = {};
  for (const [name, value] of new URLSearchParams(rawQuery)) {
    single[name] = single[name] === undefined ? value : `${single[name]},${value}`;
  }
  return {
    ...BASE_EVENT,
    rawPath: "/search",
    rawQueryString: rawQuery,
    queryStringParameters: single,
    requestContext: {
      ...BASE_EVENT.requestContext,
      requestId: randomUUID(),
      time: new Date(now).toUTCString(),
      timeEpoch: now,
    },
  };
}

/** The function's metrics the report shows (README: Observability). */
const FUNCTION_METRICS = [
  "CacheMemoryHits",
  "CacheSharedHits",
  "CacheMisses",
  "CacheStaleAnswers",
  "CacheSharedErrors",
  "CooldownStoreErrors",
  "CooldownRejections",
  "ThrottledAnswers",
  "UpstreamRetries",
] as const;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));

export async function runMode(mode: Mode, setup: Setup): Promise<ModeResult> {
  const emulator = await startEmulator({
    ...LOCAL_CLIENT,
    ...(mode.lockout ? { tokenLifetimeSeconds: setup.lockout.tokenLifetimeSeconds } : {}),
    latency: setup.latency,
    // The same draws in every mode: differences come from the modes, not the dice.
    random: seededRandom(setup.seed ^ 0x1a7e),
  });
  const containers: Container[] = [];
  let batchContainer: Container | undefined;
  try {
    const extra = { ...mode.env };
    if (mode.sharedTable) {
      const table = `fleet-cache-${mode.id}-${randomUUID().slice(0, 8)}`;
      await setup.createTable(table);
      extra.CACHE_TABLE_NAME = table;
    }
    const local = {
      ...setup.local,
      SPOTIFY_ACCOUNTS_URL: emulator.accountsUrl,
      SPOTIFY_API_URL: emulator.apiUrl,
    };
    const env = containerEnvironment(setup.fn, setup.template, setup.resources, local, extra);
    // Cold starts one after another, as a fleet grows; then one warm-up invocation each (a query
    // outside the workload), so the measured run starts from the warm fleet.
    for (let index = 0; index < setup.containers; index += 1) {
      containers.push(
        await Container.start({
          module: setup.bundle,
          exportName: setup.exportName,
          fn: { functionName: setup.fn.logicalId, memoryMb: setup.fn.memorySize },
          env,
          logFile: join(setup.logDir, `${fileStem(mode)}-container-${index}.log`),
          countLog: true,
          host: setup.host,
        }),
      );
    }
    const timeoutMs = setup.fn.timeout * 1000;
    for (const [index, container] of containers.entries()) {
      const warm = answerOf(
        await container.invoke(
          searchEvent(`q=warmup${index}&type=track&limit=1`, Date.now()),
          timeoutMs,
        ),
      );
      if (warm.statusCode !== 200) {
        throw new Error(`warm-up of container ${index} answered ${warm.statusCode || warm.error}`);
      }
      container.resetCounters();
    }
    // The batch's container starts cold (INIT now), as a scheduled run's usually does, and reads
    // and announces the same cooldown record as the API fleet.
    const batch = mode.batch ? setup.batch : undefined;
    if (batch !== undefined) {
      batchContainer = await Container.start({
        module: batch.bundle,
        exportName: batch.exportName,
        fn: { functionName: batch.fn.logicalId, memoryMb: batch.fn.memorySize },
        // The mode's variables too: the same table, and moto's timeouts for its record.
        env: containerEnvironment(batch.fn, setup.template, setup.resources, local, extra),
        logFile: join(setup.logDir, `${fileStem(mode)}-batch.log`),
        countLog: true,
        host: setup.host,
      });
    }
    // Tokens stay valid across reset(); the warm-up's requests leave the log and the window.
    emulator.reset();
    emulator.setRateLimit(setup.rateLimit);
    if (mode.lockout) {
      const { afterSearches, windowSeconds } = setup.lockout;
      emulator.setQuota({
        maxRequests: afterSearches,
        retryAfterSeconds: windowSeconds,
        once: true,
      });
    } else if (setup.quota !== undefined) emulator.setQuota(setup.quota);
    setup.meter.reset();

    const pool = new ContainerPool(containers, seededRandom(setup.seed ^ 0x9001));
    const t0 = Date.now() + 100;
    const stopSendingAt = t0 + setup.boundMs;
    const outcomes: CallerOutcome[] = [];
    const caller = async (requests: readonly CallerRequest[]) => {
      for (const request of requests) {
        await sleep(t0 + request.atMs - Date.now());
        const sentAt = Date.now();
        if (sentAt > stopSendingAt) return;
        const answer = await pool.invoke(searchEvent(request.rawQuery, sentAt), timeoutMs);
        outcomes.push({
          status: answer.statusCode,
          sentAt,
          doneAt: Date.now(),
          queuedMs: answer.queuedMs,
          error: answer.error,
        });
      }
    };
    const ticker = setInterval(() => {
      setup.progress(
        `  mode ${mode.id}: ${outcomes.length} answered, ${emulator.count("search")} upstream`,
      );
    }, 10_000);
    let batchOutcome: BatchOutcome | undefined;
    const runBatch = async (plan: BatchPlan, container: Container) => {
      await sleep(t0 + plan.startAfterMs - Date.now());
      const event = { id: `fleet-batch-${mode.id}`, queries: plan.queries };
      const startedAt = Date.now();
      const done = await container.invoke(event, plan.fn.timeout * 1000);
      batchOutcome = { invocation: done, durationMs: Date.now() - startedAt };
    };
    try {
      await Promise.all([
        ...setup.workload.map(caller),
        ...(batch && batchContainer ? [runBatch(batch, batchContainer)] : []),
      ]);
    } finally {
      clearInterval(ticker);
    }
    const endedAt = Date.now();
    const aws = setup.meter.usage();
    await Promise.all(containers.map((container) => container.stop()));
    await batchContainer?.stop();
    const requests = [...emulator.requests];
    const result = summarise(mode, setup, outcomes, requests, containers, aws, t0, endedAt);
    if (mode.lockout) result.lockout = lockoutFigures(setup.lockout, requests, t0);
    if (mode.batch) {
      result.batch = batchFigures(batchOutcome, requests);
      // The callers' own searches per 1,000, as in the other modes; 429s stay the app's total.
      result.upstream.searches -= result.batch.searches;
      result.upstream.perThousand =
        (result.upstream.searches / Math.max(1, result.answered)) * 1000;
    }
    return result;
  } finally {
    await Promise.all(containers.map((container) => container.stop()));
    await batchContainer?.stop();
    await emulator.close();
  }
}

/** `mode-3`, or `mode-3-brotli-second-miss` for a variant: the mode's files in the log folder. */
function fileStem(mode: Mode): string {
  const variant = mode.variant?.replace(/[^a-z0-9]+/gi, "-");
  return variant ? `mode-${mode.id}-${variant}` : `mode-${mode.id}`;
}

interface BatchOutcome {
  invocation: Invocation;
  durationMs: number;
}

/** Mode 4: the window the quota's first 429 announced, and the requests right after it. */
function lockoutFigures(
  plan: LockoutPlan,
  requests: readonly RecordedRequest[],
  t0: number,
): NonNullable<ModeResult["lockout"]> | undefined {
  const records = upstreamRecords(requests);
  const tripped = records.find(
    (r) => r.status === 429 && r.retryAfterSeconds === plan.windowSeconds,
  );
  if (tripped?.answeredAt === undefined) return undefined;
  const from = tripped.answeredAt;
  const end = from + plan.windowSeconds * 1000;
  const tokensAt = requests.filter((r) => r.endpoint === "token").map((r) => r.receivedAt);
  return {
    windowFromMs: Math.round(from - t0),
    windowToMs: Math.round(end - t0),
    tokenLifetimeSeconds: plan.tokenLifetimeSeconds,
    tokensDuringWindow: tokensAt.filter((at) => at >= from && at < end).length,
    ...afterLockout(records, tokensAt, end),
  };
}

/** Mode 5: the batch's summary and its own searches (told apart by their queries). */
function batchFigures(
  outcome: BatchOutcome | undefined,
  requests: readonly RecordedRequest[],
): NonNullable<ModeResult["batch"]> {
  const records = upstreamRecords(requests);
  const isBatch = requests
    .filter((r) => r.endpoint === "search")
    .map((r) => (r.query.q ?? "").startsWith(BATCH_QUERY_PREFIX));
  const violations = windowViolations(records, announcedWindows(records), 100);
  const batchRecords = new Set(records.filter((_, index) => isBatch[index]));
  const result = outcome?.invocation.result as Record<string, unknown> | undefined;
  const { failures, skippedQueries, ...summary } = result ?? {};
  return {
    summary:
      result === undefined
        ? undefined
        : {
            ...summary,
            failures: Array.isArray(failures) ? failures.slice(0, 3) : failures,
            skippedQueries: Array.isArray(skippedQueries)
              ? skippedQueries.slice(0, 3)
              : skippedQueries,
          },
    error: outcome?.invocation.error,
    searches: batchRecords.size,
    rateLimited: [...batchRecords].filter((r) => r.status === 429).length,
    insideAnnounced: violations.filter((v) => batchRecords.has(v.request)).length,
    durationMs: outcome?.durationMs ?? 0,
  };
}

/** Search requests of the emulator's log, tokens replaced by their order of first use. */
export function upstreamRecords(requests: readonly RecordedRequest[]): UpstreamRecord[] {
  const identities = new Map<string, number>();
  const records: UpstreamRecord[] = [];
  for (const request of requests) {
    if (request.endpoint !== "search") continue;
    const token = request.tokenUsed;
    let identity = -1;
    if (token !== undefined) {
      identity = identities.get(token) ?? identities.size;
      identities.set(token, identity);
    }
    const retryAfter = Number(request.retryAfter);
    records.push({
      identity,
      receivedAt: request.receivedAt,
      answeredAt: request.answeredAt,
      status: request.status,
      retryAfterSeconds: Number.isFinite(retryAfter) ? retryAfter : undefined,
    });
  }
  return records;
}

function summarise(
  mode: Mode,
  setup: Setup,
  outcomes: readonly CallerOutcome[],
  requests: readonly RecordedRequest[],
  containers: readonly Container[],
  aws: DynamoUsage,
  t0: number,
  endedAt: number,
): ModeResult {
  const callerRequests = setup.workload.reduce((sum, list) => sum + list.length, 0);
  const statuses: Record<string, number> = {};
  for (const outcome of outcomes) {
    const key = outcome.status === 0 ? `error:${outcome.error ?? "?"}` : String(outcome.status);
    statuses[key] = (statuses[key] ?? 0) + 1;
  }
  const unsent = callerRequests - outcomes.length;
  if (unsent > 0) statuses["not sent (time bound)"] = unsent;
  const latencies = outcomes.map((outcome) => outcome.doneAt - outcome.sentAt);
  const records = upstreamRecords(requests);
  const windows = announcedWindows(records);
  const merged = mergeWindows(windows);
  const violations = windowViolations(records, windows, 100);
  // The raw timelines beside the logs, for anyone who wants to look closer.
  const since = (ms: number | undefined) => (ms === undefined ? null : Math.round(ms - t0));
  writeFileSync(
    join(setup.logDir, `${fileStem(mode)}-spotify.jsonl`),
    records
      .map((r) =>
        JSON.stringify({
          identity: r.identity,
          atMs: since(r.receivedAt),
          answeredAtMs: since(r.answeredAt),
          status: r.status,
          retryAfter: r.retryAfterSeconds ?? null,
        }),
      )
      .join("\n"),
  );
  writeFileSync(
    join(setup.logDir, `${fileStem(mode)}-dynamodb.jsonl`),
    aws.log
      .map((call) => JSON.stringify({ ...call, at: since(call.at), doneAt: since(call.doneAt) }))
      .join("\n"),
  );
  const invocations = containers.reduce((sum, c) => sum + c.invocations, 0);
  const billedMs = containers.reduce((sum, c) => sum + c.billedMs, 0);
  const logBytes = containers.reduce((sum, c) => sum + c.logBytes, 0);
  const rateLimited = records.filter((record) => record.status === 429).length;
  const output = containers
    .map((c) => readFileSync(c.logFile).subarray(c.logOffset).toString("utf8"))
    .join("\n");
  const metrics = sumMetrics(output, FUNCTION_METRICS);
  const seconds = Math.ceil((endedAt - t0) / 1000);
  return {
    mode: mode.id,
    name: mode.name,
    ...(mode.variant === undefined ? {} : { variant: mode.variant }),
    env: mode.env,
    callerRequests,
    answered: outcomes.length,
    statuses,
    latencyMs: {
      p50: percentile(latencies, 50),
      p99: percentile(latencies, 99),
      max: Math.max(...latencies, 0),
    },
    queuedMs: {
      p99: percentile(
        outcomes.map((outcome) => outcome.queuedMs),
        99,
      ),
    },
    upstream: {
      searches: records.length,
      tokens: requests.filter((request) => request.endpoint === "token").length,
      perThousand: (records.length / Math.max(1, outcomes.length)) * 1000,
      rateLimited,
      identities: new Set(records.map((record) => record.identity)).size,
    },
    windows: {
      announced: windows.length,
      merged: merged.length,
      insideAnnounced: violations.length,
      insideExamples: violations.slice(0, 20).map(({ request, window }) => ({
        identity: request.identity,
        atMs: Math.round(request.receivedAt - t0),
        windowOf: window.identity,
        toldAtMs: Math.round(window.toldAt - t0),
        untilMs: Math.round(window.until - t0),
      })),
      firstSecondAfter: requestsAfterWindows(records, merged, 1000),
    },
    aws: {
      readUnits: aws.readUnits,
      writeUnits: aws.writeUnits,
      calls: aws.calls,
      roundTripMs: { p50: percentile(aws.roundTripsMs, 50), p99: percentile(aws.roundTripsMs, 99) },
    },
    lambda: {
      containers: containers.length,
      invocations,
      billedMs,
      initMs: containers.map((c) => Math.round(c.initMs)),
    },
    logBytes,
    metrics,
    cost: costPerMillion({
      callerRequests: outcomes.length,
      invocations,
      billedMs,
      memoryMb: setup.fn.memorySize,
      readUnits: aws.readUnits,
      writeUnits: aws.writeUnits,
      logBytes,
    }),
    series: perSecond(records, t0, seconds),
    durationMs: endedAt - t0,
  };
}
