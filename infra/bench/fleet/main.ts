/**
 * The fleet simulation: several Lambda-like containers (separate processes, each importing the
 * built SearchFunction bundle once), concurrent callers replaying a seeded Zipf(1.0) workload,
 * moto's DynamoDB, and the Spotify emulator with latency and a rolling-window rate limit scaled to
 * the run. Five modes on the same workload (modes.ts): 1. today (no cache, per-container
 * cooldown); 2. tier-1 in-container cache; 3. shared DynamoDB cache and shared cooldown; 4. mode 3
 * sitting out a quota lockout longer than the tokens' life; 5. mode 3 with ScheduledFunction's
 * paced batch on the same cooldown record. Then mode 3 with each stored-body compression and
 * tier-2 write policy, for the cost per million.
 *
 *   npx tsx infra/bench/fleet/main.ts [--quick] [--seed N] [--out file.json] [--quota] [--strict]
 *     [--modes 1,3] [--no-variants] [--containers N] [--requests N] [--rate N]
 *
 * Prints the tables on stdout (progress on stderr; `runFleet` does the same unless given `output`
 * and `progress`), writes `<out>` (default bench-results/fleet.json), the chart beside it
 * (`fleet.svg`) and the containers' logs in `fleet.files/`. Everything listens on 127.0.0.1 and
 * every process is stopped by its own PID.
 */
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { buildFunction } from "../../build/build.ts";
import { createCacheTable } from "../../local/cache-table.ts";
import { buildContainerHost, killLiveContainers } from "../../local/container.ts";
import { startMoto } from "../../local/moto.ts";
import { startLocalStack } from "../../local/stack.ts";
import { functionOf, loadTemplate, PROJECT_ROOT } from "../../template/template.ts";
import { fleetChart } from "./chart.ts";
import { PRICES } from "./cost.ts";
import { startDynamoMeter } from "./dynamo-meter.ts";
import { DEFAULT_VARIANT, MODES, plan, VARIANTS } from "./modes.ts";
import { type Check, checks, checksTable, fleetTable, variantsTable } from "./report.ts";
import {
  BATCH_QUERY_PREFIX,
  type BatchPlan,
  type ModeResult,
  runMode,
  type Setup,
} from "./simulate.ts";
import { buildWorkload, queryCatalogue } from "./workload.ts";

export interface FleetOptions {
  /** A small run (CI): fewer queries, requests and containers. */
  quick?: boolean;
  seed?: number;
  /** JSON report path (default bench-results/fleet.json); the SVG goes beside it. */
  out?: string;
  /** Trip a scaled-down daily quota part way through (modes 1–3). */
  quota?: boolean;
  /** Run only these modes (default all five). */
  modes?: number[];
  /** Run mode 3's compression/write-policy variants (default: when mode 3 runs). */
  variants?: boolean;
  containers?: number;
  requests?: number;
  /** Offered load, caller requests per second. */
  rate?: number;
  /** Progress lines (default: stderr). */
  progress?: (line: string) => void;
  /** Where the tables and the checks go at the end (default: stdout). */
  output?: (text: string) => void;
}

export interface FleetReport {
  table: string;
  variantsTable: string;
  checks: Check[];
  checksTable: string;
  results: ModeResult[];
  variants: ModeResult[];
  jsonPath: string;
  svgPath: string;
}

const REGION = "us-east-1";

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

  const modes = MODES.filter((m) => options.modes?.includes(m.id) ?? true);
  const withVariants = options.variants ?? modes.some((m) => m.id === 3);
  const template = loadTemplate();
  const fn = functionOf(template, "SearchFunction");
  progress("fleet: building SearchFunction, ScheduledFunction and the container host");
  const build = await buildFunction("SearchFunction");
  const host = await buildContainerHost(filesDir);
  const batch = modes.some((m) => m.batch)
    ? await batchPlan(sizes.batch, seed, template)
    : undefined;
  const workload = buildWorkload({ seed, ...sizes.workload });

  progress("fleet: starting moto");
  const moto = await startMoto();
  // Containers → the project's AWS proxy, metered, which hands DynamoDB writes to moto one at a
  // time (DynamoDB applies conditional writes atomically; moto alone does not) → moto.
  const meter = await startDynamoMeter(moto.endpoint);
  const dynamo = new DynamoDBClient({
    endpoint: moto.endpoint,
    region: REGION,
    credentials: { accessKeyId: "local", secretAccessKey: "local" },
  });
  const interrupted = () => {
    killLiveContainers();
    moto.stop().finally(() => process.exit(130));
  };
  process.once("SIGINT", interrupted);
  process.once("SIGTERM", interrupted);
  try {
    // Seeded as `npm start` seeds it (secret, scheduled queries, results bucket); each mode with a
    // table gets a fresh one, made the same way.
    const stack = await startLocalStack({ motoEndpoint: moto.endpoint });
    await stack.stop();
    const local = {
      AWS_ENDPOINT_URL: meter.endpoint,
      AWS_REGION: REGION,
      AWS_ACCESS_KEY_ID: "local",
      AWS_SECRET_ACCESS_KEY: "local",
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
    };
    const setup: Omit<Setup, "progress"> = {
      fn,
      template,
      bundle: build.handlerFile,
      exportName: build.handlerExport,
      host,
      // A mode's table replaces CacheTable through CACHE_TABLE_NAME; modes 1 and 2 drop it.
      resources: stack.resources,
      local,
      meter,
      createTable: (name: string) => createCacheTable(dynamo, name),
      workload,
      containers: sizes.containers,
      seed,
      latency: sizes.latency,
      rateLimit: sizes.rateLimit,
      quota: sizes.quota,
      lockout: sizes.lockout,
      batch,
      logDir,
      boundMs: sizes.boundMs,
    };
    const run = async (mode: (typeof MODES)[number]) => {
      const label = `mode ${mode.id}${mode.variant ? ` (${mode.variant})` : ""}`;
      progress(`fleet: ${label} (${mode.name}), ${sizes.containers} containers`);
      const result = await runMode(mode, { ...setup, progress });
      progress(
        `fleet: ${label} done in ${(result.durationMs / 1000).toFixed(1)} s: ` +
          `${result.upstream.searches} upstream, ${result.upstream.rateLimited} × 429`,
      );
      return result;
    };
    const results: ModeResult[] = [];
    for (const mode of modes) results.push(await run(mode));
    const variants: ModeResult[] = [];
    if (withVariants) {
      for (const variant of VARIANTS) {
        const same = variant.variant === DEFAULT_VARIANT && results.find((r) => r.mode === 3);
        variants.push(same ? { ...same, variant: DEFAULT_VARIANT } : await run(variant));
      }
    }
    const list = checks(results);
    const table = fleetTable(results);
    const compared = variantsTable(variants);
    const title = "Fleet simulation: upstream requests and 429s per second, by mode";
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
          variants,
        },
        null,
        2,
      )}\n`,
    );
    const report: FleetReport = {
      table,
      variantsTable: compared,
      checks: list,
      checksTable: checksTable(list),
      results,
      variants,
      jsonPath,
      svgPath,
    };
    const output = options.output ?? ((text: string) => process.stdout.write(text));
    const sections = [report.table, report.checksTable, ...(variants.length ? [compared] : [])];
    output(`${sections.join("\n\n")}\n`);
    progress(`fleet: wrote ${jsonPath} and ${svgPath}`);
    return report;
  } finally {
    process.off("SIGINT", interrupted);
    process.off("SIGTERM", interrupted);
    dynamo.destroy();
    await meter.close();
    await moto.stop();
  }
}

/**
 * Mode 5's batch: ScheduledFunction as `sam build` builds it, and one-page searches of other
 * questions than the callers' (the batch collects fresh data), marked so the log tells them apart.
 */
async function batchPlan(
  sizes: { queries: number; startAfterMs: number },
  seed: number,
  template: ReturnType<typeof loadTemplate>,
): Promise<BatchPlan> {
  const built = await buildFunction("ScheduledFunction");
  const queries = queryCatalogue(sizes.queries, seed ^ 0xba7c).map((raw) => {
    const params = new URLSearchParams(raw);
    return {
      q: `${BATCH_QUERY_PREFIX}${params.get("q") ?? ""}`,
      type: params.get("type") ?? "track",
      limit: Number(params.get("limit") ?? 10),
    };
  });
  return {
    fn: functionOf(template, "ScheduledFunction"),
    bundle: built.handlerFile,
    exportName: built.handlerExport,
    queries,
    startAfterMs: sizes.startAfterMs,
  };
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
      "no-variants": { type: "boolean" },
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
    ...(values["no-variants"] ? { variants: false } : {}),
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
