/**
 * The fleet simulation of issue 12: several Lambda-like containers (separate processes, each
 * importing the built SearchFunction bundle once), concurrent callers replaying a seeded Zipf(1.0)
 * workload, moto's DynamoDB, and the Spotify emulator with latency and a rolling-window rate limit
 * scaled to the run. Three modes on the same workload: 1. today (no cache, per-container
 * cooldown); 2. tier-1 in-container cache; 3. shared DynamoDB cache and shared cooldown.
 *
 *   npx tsx infra/bench/fleet/main.ts [--quick] [--seed N] [--out file.json] [--quota] [--strict]
 *
 * Prints the table on stdout (progress on stderr; `runFleet` does the same unless given `output`
 * and `progress`), writes `<out>` (default
 * bench-results/fleet.json), the chart beside it (`fleet.svg`) and the containers' logs in
 * `fleet.files/`. Everything listens on 127.0.0.1 and every process is stopped by its own PID.
 */
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { CreateSecretCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { buildFunction } from "../../build/build.ts";
import { createCacheTable } from "../../local/cache-table.ts";
import { buildContainerHost, killLiveContainers } from "../../local/container.ts";
import type { Latency, Quota, RateLimit } from "../../local/emulator/types.ts";
import { startMoto } from "../../local/moto.ts";
import { LOCAL_CLIENT, LOCAL_SECRET_ID } from "../../local/stack.ts";
import { functionOf, loadTemplate, PROJECT_ROOT } from "../../template/template.ts";
import { fleetChart } from "./chart.ts";
import { PRICES } from "./cost.ts";
import { startDynamoMeter } from "./dynamo-meter.ts";
import { type Check, checks, checksTable, fleetTable } from "./report.ts";
import { type Mode, type ModeResult, runMode } from "./simulate.ts";
import { buildWorkload, type WorkloadOptions } from "./workload.ts";

export interface FleetOptions {
  /** A small run (CI): fewer queries, requests and containers. */
  quick?: boolean;
  seed?: number;
  /** JSON report path (default bench-results/fleet.json); the SVG goes beside it. */
  out?: string;
  /** Trip a scaled-down daily quota part way through. */
  quota?: boolean;
  /** Run only these modes (default 1, 2, 3). */
  modes?: number[];
  containers?: number;
  requests?: number;
  /** Offered load, caller requests per second. */
  rate?: number;
  /** Progress lines (default: stderr). */
  progress?: (line: string) => void;
  /** Where the table and the checks go at the end (default: stdout). */
  output?: (text: string) => void;
}

export interface FleetReport {
  table: string;
  checks: Check[];
  checksTable: string;
  results: ModeResult[];
  jsonPath: string;
  svgPath: string;
}

const REGION = "us-east-1";
const CACHE_TTL_SECONDS = "300";

/**
 * moto is DynamoDB's stand-in, not its speed: on this shared 2-core machine it answers in
 * 5–300 ms and now and then stalls for half a second (load-dependent), where DynamoDB answers in
 * single-digit ms. The cache's own timeouts, sized for DynamoDB (60 ms read, 250 ms write), would
 * call moto "unavailable" and send the container back to its own cooldown for 30 s, so the
 * simulation gives them moto's scale. Every mode gets the same (modes 1 and 2 have no table).
 */
export const LOCAL_SUBSTITUTE_ENV: Readonly<Record<string, string>> = {
  CACHE_READ_TIMEOUT_MS: "1500",
  CACHE_WRITE_TIMEOUT_MS: "2000",
};

export const MODES: readonly Mode[] = [
  {
    id: 1,
    name: "today",
    env: { ...LOCAL_SUBSTITUTE_ENV, CACHE_TTL_SECONDS: "0", CACHE_TABLE_NAME: undefined },
    sharedTable: false,
  },
  {
    id: 2,
    name: "tier-1 cache",
    env: { ...LOCAL_SUBSTITUTE_ENV, CACHE_TTL_SECONDS, CACHE_TABLE_NAME: undefined },
    sharedTable: false,
  },
  {
    id: 3,
    name: "shared cache + cooldown",
    env: { ...LOCAL_SUBSTITUTE_ENV, CACHE_TTL_SECONDS },
    sharedTable: true,
  },
];

interface Plan {
  workload: Omit<WorkloadOptions, "seed">;
  containers: number;
  latency: Latency;
  rateLimit: RateLimit;
  quota: Quota | undefined;
  boundMs: number;
}

/**
 * Sizes: the full run offers 30 requests/s against a window that admits 20/s (80 per rolling
 * 4 s: Spotify's 30 s window scaled down, so Retry-After is 1–4 s as Spotify usually sends), so
 * mode 1, where every caller request needs Spotify, is rate-limited throughout (and takes
 * requests / 20 s), while the misses of a shared cache stay near or under the window.
 */
export function plan(options: FleetOptions): Plan {
  const quick = options.quick === true;
  const requests = options.requests ?? (quick ? 300 : 2400);
  const rate = options.rate ?? (quick ? 20 : 30);
  const windowMs = 4000;
  const admittedPerSecond = quick ? 12 : 20;
  return {
    workload: {
      distinct: quick ? 200 : 2000,
      requests,
      callers: quick ? 6 : 8,
      ratePerSecond: rate,
      exponent: 1,
    },
    containers: options.containers ?? (quick ? 4 : 6),
    latency: { minMs: 60, maxMs: 120 },
    rateLimit: {
      windowMs,
      maxRequests: (admittedPerSecond * windowMs) / 1000,
      countRejected: true,
    },
    // The "day" is scaled to the run: it trips after a third of the offered load and lasts 20 s.
    quota: options.quota
      ? { maxRequests: Math.round(requests / 3), retryAfterSeconds: 20 }
      : undefined,
    // Time bound: past this, callers stop sending (reported as "not sent"). Mode 1 needs about
    // requests / admitted-per-second; half as much again and 30 s more never bite a sound run.
    boundMs:
      30_000 + 1.5 * Math.max((requests / rate) * 1000, (requests / admittedPerSecond) * 1000),
  };
}

export async function runFleet(options: FleetOptions = {}): Promise<FleetReport> {
  const progress = options.progress ?? ((line: string) => process.stderr.write(`${line}\n`));
  // Node 20 still runs this project; the SDK's notice about its future minimum is noise here.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
  const seed = options.seed ?? 12;
  const sizes = plan(options);
  const jsonPath = resolve(options.out ?? join(PROJECT_ROOT, "bench-results", "fleet.json"));
  const base = jsonPath.replace(/\.json$/, "");
  const svgPath = `${base}.svg`;
  const filesDir = `${base}.files`;
  const logDir = join(filesDir, "logs");
  rmSync(filesDir, { recursive: true, force: true });
  mkdirSync(logDir, { recursive: true });

  const template = loadTemplate();
  const fn = functionOf(template, "SearchFunction");
  progress("fleet: building SearchFunction");
  const build = await buildFunction("SearchFunction");
  const host = await buildContainerHost(filesDir);
  const workload = buildWorkload({ seed, ...sizes.workload });

  progress("fleet: starting moto");
  const moto = await startMoto();
  // Containers → the project's AWS proxy, metered, which hands DynamoDB writes to moto one at a
  // time (DynamoDB applies conditional writes atomically; moto alone does not) → moto.
  const meter = await startDynamoMeter(moto.endpoint);
  const admin = {
    endpoint: moto.endpoint,
    region: REGION,
    credentials: { accessKeyId: "local", secretAccessKey: "local" },
  };
  const dynamo = new DynamoDBClient(admin);
  const secrets = new SecretsManagerClient(admin);
  const interrupted = () => {
    killLiveContainers();
    moto.stop().finally(() => process.exit(130));
  };
  process.once("SIGINT", interrupted);
  process.once("SIGTERM", interrupted);
  try {
    await secrets.send(
      new CreateSecretCommand({
        Name: LOCAL_SECRET_ID,
        SecretString: JSON.stringify({
          client_id: LOCAL_CLIENT.clientId,
          client_secret: LOCAL_CLIENT.clientSecret,
        }),
      }),
    );
    const createTable = (name: string) => createCacheTable(dynamo, name);
    const local = {
      AWS_ENDPOINT_URL: meter.endpoint,
      AWS_REGION: REGION,
      AWS_ACCESS_KEY_ID: "local",
      AWS_SECRET_ACCESS_KEY: "local",
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
    };
    // The table name of mode 3 replaces CacheTable through CACHE_TABLE_NAME; the others drop it.
    const resources = { SpotifySecret: LOCAL_SECRET_ID, CacheTable: "unused" };
    const results: ModeResult[] = [];
    for (const mode of MODES.filter((m) => options.modes?.includes(m.id) ?? true)) {
      progress(`fleet: mode ${mode.id} (${mode.name}), ${sizes.containers} containers`);
      const result = await runMode(mode, {
        fn,
        template,
        bundle: build.handlerFile,
        exportName: build.handlerExport,
        host,
        resources,
        local,
        meter,
        createTable,
        workload,
        containers: sizes.containers,
        seed,
        latency: sizes.latency,
        rateLimit: sizes.rateLimit,
        quota: sizes.quota,
        logDir,
        boundMs: sizes.boundMs,
        progress,
      });
      progress(
        `fleet: mode ${mode.id} done in ${(result.durationMs / 1000).toFixed(1)} s: ` +
          `${result.upstream.searches} upstream, ${result.upstream.rateLimited} × 429`,
      );
      results.push(result);
    }
    const today = results.find((r) => r.mode === 1);
    const shared = results.find((r) => r.mode === 3);
    const list = today && shared ? checks(today, shared) : [];
    const table = fleetTable(results);
    const title = "Fleet simulation (issue 12): upstream requests and 429s per second, by mode";
    const subtitle =
      `${sizes.workload.requests} requests, Zipf(1.0) over ${sizes.workload.distinct} queries, seed ${seed}, ` +
      `${sizes.workload.callers} callers, ${sizes.containers} containers, ${sizes.workload.ratePerSecond}/s offered; ` +
      `Spotify admits ${sizes.rateLimit.maxRequests} per rolling ${sizes.rateLimit.windowMs / 1000} s` +
      (sizes.quota
        ? `, quota ${sizes.quota.maxRequests} then ${sizes.quota.retryAfterSeconds} s off`
        : "");
    mkdirSync(dirname(jsonPath), { recursive: true });
    writeFileSync(
      svgPath,
      fleetChart(
        title,
        subtitle,
        results.map((r) => ({
          title:
            `${r.mode}. ${r.name}: ${r.upstream.searches} upstream, ${r.upstream.rateLimited} × 429, ` +
            `p99 ${Math.round(r.latencyMs.p99)} ms`,
          upstream: r.series.upstream,
          rateLimited: r.series.rateLimited,
        })),
        (sizes.rateLimit.maxRequests * 1000) / sizes.rateLimit.windowMs,
      ),
    );
    writeFileSync(
      jsonPath,
      `${JSON.stringify(
        {
          title: `${title}; ${subtitle}`,
          seed,
          plan: sizes,
          memoryMb: fn.memorySize,
          prices: PRICES,
          checks: list,
          results,
        },
        null,
        2,
      )}\n`,
    );
    const report = {
      table,
      checks: list,
      checksTable: checksTable(list),
      results,
      jsonPath,
      svgPath,
    };
    const output = options.output ?? ((text: string) => process.stdout.write(text));
    output(`${report.table}\n\n${report.checksTable}\n`);
    progress(`fleet: wrote ${jsonPath} and ${svgPath}`);
    return report;
  } finally {
    process.off("SIGINT", interrupted);
    process.off("SIGTERM", interrupted);
    dynamo.destroy();
    secrets.destroy();
    await meter.close();
    await moto.stop();
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      quick: { type: "boolean" },
      seed: { type: "string" },
      out: { type: "string" },
      quota: { type: "boolean" },
      strict: { type: "boolean" },
      modes: { type: "string" },
      containers: { type: "string" },
      requests: { type: "string" },
      rate: { type: "string" },
    },
    strict: true,
  });
  const number = (value: string | undefined) => (value === undefined ? undefined : Number(value));
  // A hard bound on the whole run, whatever happens.
  const watchdog = setTimeout(() => {
    process.stderr.write("fleet: still running after 20 minutes; stopping\n");
    killLiveContainers();
    process.exit(2);
  }, 20 * 60_000);
  watchdog.unref();
  const started = Date.now();
  const report = await runFleet({
    quick: values.quick,
    seed: number(values.seed),
    out: values.out,
    quota: values.quota,
    modes: values.modes?.split(",").map(Number),
    containers: number(values.containers),
    requests: number(values.requests),
    rate: number(values.rate),
  });
  process.stderr.write(`fleet: ${((Date.now() - started) / 1000).toFixed(0)} s in all\n`);
  if (values.strict && report.checks.some((check) => !check.met)) process.exitCode = 1;
}

const invokedPath = process.argv[1];
if (invokedPath && import.meta.url === pathToFileURL(invokedPath).href) {
  main().catch((error: unknown) => {
    killLiveContainers();
    process.stderr.write(
      `fleet: ${error instanceof Error ? (error.stack ?? error.message) : error}\n`,
    );
    process.exit(1);
  });
}
