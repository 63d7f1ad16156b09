/**
 * `npm run bench [-- --quick] [--out FILE] [--strict]`: the service's benchmark on the local stack
 * (moto behind a counting proxy, the Spotify emulator), for each function:
 *
 * - bundle size (minified) and what dominates it, with and without Powertools, beside the floor;
 * - cold start (fresh `node` process → bundle imported → first invocation done, median), as
 *   deployed (NODE_OPTIONS=--enable-source-maps), without source maps and without Powertools,
 *   beside the floor: a bare module built with the same esbuild settings (infra/bench/floor/);
 * - warm overhead: sequential happy-path invocations, p50/p99, beside a bare fetch of the same
 *   emulator URL with a valid token;
 * - wire cost: token requests (counted by the emulator) and GetSecretValue calls (counted on the
 *   wire by the proxy) per 1,000 invocations, per cold container and per token lifetime;
 * - scheduled throughput under the emulator's rate-limit window, beside the window's maximum.
 *
 * Prints the table on stdout (progress on stderr) and writes bench-results/bench.json. Exits 1 on
 * an error (a crash, an unhappy invocation), and with --strict also when a target is missed.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, cpus } from "node:os";
import { basename, dirname, join, relative, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { type CountingProxy, epochNow, startCountingProxy } from "../local/aws-proxy.ts";
import { startLocalStack } from "../local/stack.ts";
import { type FunctionSpec, functionOf, loadTemplate, PROJECT_ROOT } from "../template.ts";
import { type Bundle, buildUnminified, buildVariants, type Variant } from "./builds.ts";
import { killRunningChildren } from "./child.ts";
import { type BenchOptions, parseOptions, USAGE } from "./options.ts";
import {
  type Bench,
  type ColdSample,
  type ColdVariant,
  type ColdVariantResult,
  measureColdStarts,
  measureThroughput,
  measureTokenLifetime,
  measureWarm,
  probeSearchUrl,
  type ThroughputResult,
  type TokenLifetimeResult,
  type WarmVariant,
  type WarmVariantResult,
} from "./phases.ts";
import { analyzeProfile, type ProfileReport, renderProfile } from "./profile.ts";
import { formatValue, type Row, renderComposition, renderTable, row } from "./report.ts";
import { median, round } from "./stats.ts";

const TARGETS = {
  warmP50: 1.15,
  warmP99: 1.5,
  cold: 1.2,
  tokensPerLifetime: 1,
} as const;

/** Spotify's rolling window is 30 s; the bench scales it down to keep the run short. */
const RATE_WINDOW = { windowMs: 1000, maxRequests: 10 };
const TOKEN_LIFETIME = { lifetimeSeconds: 4, marginSeconds: 1, durationMs: 8_500 };

const progress = (line: string) => process.stderr.write(`bench: ${line}\n`);

interface Functions {
  search: FunctionSpec;
  scheduled: FunctionSpec;
}
type Bundles = Record<keyof Functions, Record<Variant, Bundle>>;

interface Results {
  options: BenchOptions;
  bundles: Bundles;
  searchUrl: string;
  cold: Record<string, ColdVariantResult>;
  warm: Record<string, WarmVariantResult>;
  lifetime: TokenLifetimeResult | undefined;
  profile: ProfileReport | undefined;
  throughput: ThroughputResult;
  durationMs: number;
}

function event(name: string): string {
  return readFileSync(resolve(PROJECT_ROOT, "events", name), "utf8");
}

async function measure(
  options: BenchOptions,
  fns: Functions,
  bundles: Bundles,
  bench: Bench,
  paths: { buildRoot: string; profileDir: string },
): Promise<Omit<Results, "options" | "bundles" | "durationMs">> {
  const searchEvent = event("search-http-api.json");
  const scheduledEvent = event("scheduled.json");
  // One search with no results file: the scheduled path's own per-invocation cost.
  const oneSearchEvent = JSON.stringify({
    id: "bench-one-search",
    queries: [{ q: "BTS", type: "artist" }],
  });
  const noStore = { RESULTS_BUCKET: "" };

  progress("probing the search URL the function requests");
  const searchUrl = await probeSearchUrl(bench, {
    key: "search/probe",
    fn: fns.search,
    bundle: bundles.search.deployed,
    sourceMaps: true,
    event: searchEvent,
    expect: "200",
  });
  const scheduledUrl = await probeSearchUrl(bench, {
    key: "scheduled/probe",
    fn: fns.scheduled,
    bundle: bundles.scheduled.deployed,
    sourceMaps: true,
    event: oneSearchEvent,
    expect: "ok",
    extraEnv: noStore,
  });
  const floorEnv = { BENCH_SEARCH_URL: searchUrl };

  const s = (variant: Variant, sourceMaps: boolean, key: string): ColdVariant => ({
    key,
    fn: fns.search,
    bundle: bundles.search[variant],
    sourceMaps,
    event: searchEvent,
    expect: "200",
    extraEnv: variant === "floor" ? floorEnv : undefined,
  });
  const c = (variant: Variant, sourceMaps: boolean, key: string): ColdVariant => ({
    key,
    fn: fns.scheduled,
    bundle: bundles.scheduled[variant],
    sourceMaps,
    event: scheduledEvent,
    expect: "ok",
  });
  const coldVariants = [
    s("deployed", true, "search/deployed"),
    s("deployed", false, "search/deployed-nosm"),
    s("plain", true, "search/plain"),
    ...(options.quick ? [] : [s("plain", false, "search/plain-nosm")]),
    s("floor", true, "search/floor"),
    s("floor", false, "search/floor-nosm"),
    c("deployed", true, "scheduled/deployed"),
    c("deployed", false, "scheduled/deployed-nosm"),
    c("plain", true, "scheduled/plain"),
    c("floor", true, "scheduled/floor"),
  ];
  progress(`cold starts: ${coldVariants.length} variants × ${options.coldRuns} runs`);
  const cold = await measureColdStarts(
    bench,
    coldVariants,
    options.coldRuns,
    options.quick ? 1 : 2,
    progress,
  );

  const warmVariants: (WarmVariant & {
    floorUrl: string;
    expect: string;
    extraEnv?: Record<string, string>;
  })[] = [
    {
      key: "search/deployed",
      fn: fns.search,
      bundle: bundles.search.deployed,
      sourceMaps: true,
      event: searchEvent,
      floorUrl: searchUrl,
      expect: "200",
    },
    {
      key: "search/deployed-nosm",
      fn: fns.search,
      bundle: bundles.search.deployed,
      sourceMaps: false,
      event: searchEvent,
      floorUrl: searchUrl,
      expect: "200",
    },
    {
      key: "search/plain",
      fn: fns.search,
      bundle: bundles.search.plain,
      sourceMaps: true,
      event: searchEvent,
      floorUrl: searchUrl,
      expect: "200",
    },
    {
      key: "scheduled/deployed-one-search",
      fn: fns.scheduled,
      bundle: bundles.scheduled.deployed,
      sourceMaps: true,
      event: oneSearchEvent,
      floorUrl: scheduledUrl,
      expect: "ok",
      extraEnv: noStore,
    },
  ];
  const warm: Record<string, WarmVariantResult> = {};
  for (const variant of warmVariants) {
    progress(`warm: ${variant.key}, ${options.warmInvocations} invocations`);
    warm[variant.key] = await measureWarm(bench, variant, {
      invocations: options.warmInvocations,
      warmup: options.warmup,
      floorUrl: variant.floorUrl,
      expect: variant.expect,
      extraEnv: variant.extraEnv,
    });
  }

  let profile: ProfileReport | undefined;
  if (options.profile) {
    progress("profile: one warm SearchFunction container (unminified build) under --cpu-prof");
    const unminified = await buildUnminified(fns.search, paths.buildRoot);
    mkdirSync(paths.profileDir, { recursive: true });
    const run = await measureWarm(
      bench,
      {
        key: "search/profile",
        fn: fns.search,
        bundle: unminified,
        sourceMaps: true,
        event: searchEvent,
      },
      {
        invocations: options.warmInvocations,
        warmup: options.warmup,
        floorUrl: searchUrl,
        expect: "200",
        nodeArgs: ["--cpu-prof", `--cpu-prof-dir=${paths.profileDir}`, "--cpu-prof-interval=100"],
      },
    );
    const file = readdirSync(paths.profileDir).find((name) => name.endsWith(".cpuprofile"));
    if (!file) throw new Error(`node wrote no CPU profile into ${paths.profileDir}`);
    profile = analyzeProfile(join(paths.profileDir, file), unminified.file, run.invocations);
  }

  let lifetime: TokenLifetimeResult | undefined;
  if (options.tokenLifetime) {
    progress(
      `token lifetime: ${TOKEN_LIFETIME.lifetimeSeconds} s tokens for ${TOKEN_LIFETIME.durationMs / 1000} s`,
    );
    lifetime = await measureTokenLifetime(
      bench,
      fns.search,
      bundles.search.deployed,
      searchEvent,
      TOKEN_LIFETIME,
    );
  }

  progress(
    `throughput: ${options.throughputSearches} searches, ${RATE_WINDOW.maxRequests} per ${RATE_WINDOW.windowMs} ms`,
  );
  const throughput = await measureThroughput(bench, fns.scheduled, bundles.scheduled.deployed, {
    searches: options.throughputSearches,
    ...RATE_WINDOW,
  });
  return { searchUrl, cold, warm, lifetime, profile, throughput };
}

// ------------------------------------------------------------------------------------ the rows

function need<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`missing result: ${what}`);
  return value;
}

function buildRows(results: Results): Row[] {
  const { bundles, cold, warm, lifetime, throughput, options } = results;
  const rows: Row[] = [];
  const size = "bundle size (minified)";
  for (const b of Object.values(bundles)) {
    const id = b.deployed.logicalId;
    rows.push(row(size, `${id} as deployed`, "bytes", b.deployed.bytes, b.floor.bytes));
    rows.push(row(size, `${id} without Powertools`, "bytes", b.plain.bytes, b.floor.bytes));
    rows.push(
      row(size, `${id}: Powertools (logger + metrics)`, "bytes", b.deployed.bytes - b.plain.bytes),
    );
  }

  const c = (key: string) => need(cold[key], `cold ${key}`).median;
  const coldSection = `cold start, process start → first invocation done (median of ${options.coldRuns})`;
  for (const [fn, id] of [
    ["search", "SearchFunction"],
    ["scheduled", "ScheduledFunction"],
  ] as const) {
    const deployed = c(`${fn}/deployed`);
    const floor = c(`${fn}/floor`);
    rows.push(
      row(
        coldSection,
        `${id} as deployed (--enable-source-maps)`,
        "ms",
        deployed.totalMs,
        floor.totalMs,
        { maxRatio: TARGETS.cold },
      ),
    );
    const nosm = c(`${fn}/deployed-nosm`);
    const floorNosm = cold[`${fn}/floor-nosm`]?.median;
    rows.push(
      row(
        coldSection,
        `${id} without --enable-source-maps`,
        "ms",
        nosm.totalMs,
        floorNosm?.totalMs,
      ),
    );
    const plain = c(`${fn}/plain`);
    rows.push(row(coldSection, `${id} without Powertools`, "ms", plain.totalMs, floor.totalMs));
    const plainNosm = cold[`${fn}/plain-nosm`]?.median;
    if (plainNosm) {
      rows.push(
        row(
          coldSection,
          `${id} without Powertools or source maps`,
          "ms",
          plainNosm.totalMs,
          floorNosm?.totalMs,
        ),
      );
    }
    // Every variant ran once per round: the costs are medians of the per-round differences.
    const local = (key: string) => need(cold[`${fn}/${key}`], `cold ${fn}/${key}`);
    rows.push(
      row(
        coldSection,
        `${id}: cost of --enable-source-maps (paired)`,
        "ms",
        pairedMedian(local("deployed"), local("deployed-nosm"), "totalMs"),
      ),
    );
    rows.push(
      row(
        coldSection,
        `${id}: cost of Powertools (paired)`,
        "ms",
        pairedMedian(local("deployed"), local("plain"), "totalMs"),
      ),
    );
  }

  const w = need(warm["search/deployed"], "warm search/deployed");
  const warmSection = `warm, sequential happy-path invocations (n = ${w.handler.n}) vs bare fetch`;
  rows.push(
    row(warmSection, "SearchFunction p50", "ms", w.handler.p50, w.floor.p50, {
      maxRatio: TARGETS.warmP50,
    }),
  );
  rows.push(
    row(warmSection, "SearchFunction p99", "ms", w.handler.p99, w.floor.p99, {
      maxRatio: TARGETS.warmP99,
    }),
  );
  for (const [key, label] of [
    ["search/deployed-nosm", "without --enable-source-maps"],
    ["search/plain", "without Powertools"],
    ["scheduled/deployed-one-search", "ScheduledFunction, one search, no S3 write:"],
  ] as const) {
    const v = need(warm[key], `warm ${key}`);
    const prefix = key.startsWith("scheduled") ? label : `SearchFunction ${label}`;
    rows.push(row(warmSection, `${prefix} p50`, "ms", v.handler.p50, v.floor.p50));
    rows.push(row(warmSection, `${prefix} p99`, "ms", v.handler.p99, v.floor.p99));
  }

  const wire = "wire cost";
  const perK = (count: number) => (count * 1000) / w.invocations;
  rows.push(
    row(
      wire,
      `token requests, one warm container (${w.invocations} inv)`,
      "per-1000",
      perK(w.tokens),
      perK(1),
      { maxRatio: 1, label: "1 per container" },
    ),
  );
  rows.push(
    row(
      wire,
      `GetSecretValue, one warm container (${w.invocations} inv)`,
      "per-1000",
      perK(w.secretReads),
      perK(1),
      { maxRatio: 1, label: "1 per container" },
    ),
  );
  const deployedCold = [
    ...need(cold["search/deployed"], "cold").samples,
    ...need(cold["scheduled/deployed"], "cold").samples,
  ];
  const tokensPerCold = deployedCold.reduce((sum, x) => sum + x.tokens, 0) / deployedCold.length;
  const secretsPerCold =
    deployedCold.reduce((sum, x) => sum + x.secretReads, 0) / deployedCold.length;
  rows.push(
    row(
      wire,
      `token requests per cold container (${deployedCold.length} cold starts)`,
      "count",
      tokensPerCold,
      1,
      { maxRatio: 1, label: "1 per container" },
    ),
  );
  rows.push(
    row(
      wire,
      `GetSecretValue per cold container (${deployedCold.length} cold starts)`,
      "count",
      secretsPerCold,
      1,
      { maxRatio: 1, label: "1 per container" },
    ),
  );
  if (lifetime) {
    rows.push(
      row(
        wire,
        `token requests, ${lifetime.lifetimeSeconds} s tokens, ${round(lifetime.durationMs / 1000, 1)} s run (${lifetime.invocations} inv)`,
        "count",
        lifetime.tokens,
        lifetime.lifetimesSpanned,
        { maxRatio: TARGETS.tokensPerLifetime, label: "1 per lifetime" },
      ),
    );
  }

  const tp = `scheduled throughput, window ${throughput.maxRequests} per ${throughput.windowMs} ms (floor = the window's maximum)`;
  rows.push(
    row(
      tp,
      `sustained searches/s (${throughput.admitted} admitted)`,
      "per-second",
      throughput.steadyPerSecond,
      throughput.windowMaxPerSecond,
    ),
  );
  rows.push(
    row(
      tp,
      `end to end, ${throughput.succeeded}/${throughput.searches} searches (floor: best for ${throughput.searches})`,
      "per-second",
      throughput.endToEndPerSecond,
      throughput.endToEndBestPerSecond,
    ),
  );
  rows.push(row(tp, "429 answers during the batch", "count", throughput.rateLimited));
  return rows;
}

/** Median over rounds of a − b (both variants ran in every round, so drift cancels out). */
function pairedMedian(a: ColdVariantResult, b: ColdVariantResult, field: keyof ColdSample): number {
  const n = Math.min(a.samples.length, b.samples.length);
  const differences: number[] = [];
  for (let i = 0; i < n; i++) {
    const x = a.samples[i];
    const y = b.samples[i];
    if (x && y) differences.push(x[field] - y[field]);
  }
  return median(differences);
}

/** Where the cold start goes: medians of each phase, function beside floor. */
function renderColdPhases(cold: Record<string, ColdVariantResult>): string {
  const phases = [
    ["bootMs", "node boot"],
    ["importMs", "import"],
    ["toFirstAwsMs", "→1st AWS req"],
    ["awsToTokenMs", "→token req"],
    ["tokenToSearchMs", "→search req"],
    ["searchToDoneMs", "→done"],
    ["totalMs", "total"],
    ["motoMs", "in moto"],
  ] as const;
  const header = ["variant (median ms)", ...phases.map(([, label]) => label)];
  const lines = Object.values(cold).map((v) => [
    v.key,
    ...phases.map(([field]) => v.median[field].toFixed(1)),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => (l[i] ?? "").length)));
  const fmt = (cells: string[]) =>
    cells
      .map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0)))
      .join("  ");
  return [fmt(header), ...lines.map(fmt)].join("\n");
}

function notesFor(results: Results, rows: Row[]): string[] {
  const notes: string[] = [];
  const { cold, warm, bundles } = results;
  for (const r of rows.filter((x) => x.status === "miss")) {
    if (r.section.startsWith("cold")) {
      const fn = r.figure.startsWith("Search") ? "search" : "scheduled";
      const d = cold[`${fn}/deployed`]?.median;
      const f = cold[`${fn}/floor`]?.median;
      const nosm = cold[`${fn}/deployed-nosm`]?.median;
      const plain = cold[`${fn}/plain`]?.median;
      const b = bundles[fn];
      if (!d || !f || !nosm || !plain) continue;
      const costOf = (variant: string) => {
        const base = cold[`${fn}/deployed`];
        const other = cold[`${fn}/${variant}`];
        if (!base || !other) return "?";
        const ms = pairedMedian(base, other, "totalMs");
        return `${ms >= 0 ? "+" : ""}${ms.toFixed(1)} ms`;
      };
      const delta = (x: number, y: number) => `${x - y >= 0 ? "+" : ""}${(x - y).toFixed(1)} ms`;
      notes.push(
        `${r.figure}: ${delta(d.totalMs, f.totalMs)} over the floor. ` +
          `Import ${delta(d.importMs, f.importMs)} (bundle ${formatValue(b.deployed.bytes - b.floor.bytes, "bytes")} larger, source map ${formatValue(b.deployed.mapBytes - b.floor.mapBytes, "bytes")} larger); ` +
          `first invocation ${delta(d.invokeMs, f.invokeMs)} (to the first AWS request ${delta(d.toFirstAwsMs, f.toFirstAwsMs)}, ` +
          `AWS → token request ${delta(d.awsToTokenMs, f.awsToTokenMs)}, token → search ${delta(d.tokenToSearchMs, f.tokenToSearchMs)}, ` +
          `search → done ${delta(d.searchToDoneMs, f.searchToDoneMs)}). ` +
          `Powertools costs ${costOf("plain")}, --enable-source-maps ${costOf("deployed-nosm")} ` +
          `(medians of per-round differences); time in moto ${delta(d.motoMs, f.motoMs)}.`,
      );
    } else if (r.section.startsWith("warm")) {
      const d = warm["search/deployed"];
      const plain = warm["search/plain"];
      const nosm = warm["search/deployed-nosm"];
      if (!d || !plain || !nosm) continue;
      const q = r.figure.endsWith("p99") ? "p99" : "p50";
      notes.push(
        `${r.figure}: ${(d.handler[q] - d.floor[q]).toFixed(3)} ms over the bare fetch (${d.floor[q].toFixed(3)} ms). ` +
          `Without Powertools ${(plain.handler[q] - plain.floor[q]).toFixed(3)} ms over; without --enable-source-maps ${(nosm.handler[q] - nosm.floor[q]).toFixed(3)} ms over. ` +
          `The function writes ${d.stdoutBytesPerInvocation.toFixed(0)} bytes of stdout per invocation.` +
          (results.profile
            ? ` CPU per invocation by package: ${results.profile.byPackage
                .filter(
                  (share) =>
                    !/^\((idle|garbage collector|program|esbuild runtime)/.test(share.name) &&
                    !share.name.startsWith("fetch") &&
                    !share.name.startsWith("outside"),
                )
                .slice(0, 6)
                .map((share) => `${share.name} ${share.usPerInvocation.toFixed(0)} µs`)
                .join(", ")} (see the profile above).`
            : ""),
      );
    } else {
      notes.push(`${r.figure}: ${formatValue(r.value, r.unit)} against ${r.target}.`);
    }
  }
  return notes;
}

function bundleJson(bundle: Bundle) {
  return {
    file: relative(PROJECT_ROOT, bundle.file),
    bytes: bundle.bytes,
    mapBytes: bundle.mapBytes,
    packages: bundle.packages.slice(0, 20).map((p) => ({ ...p, share: round(p.share, 4) })),
  };
}

// ------------------------------------------------------------------------------------ main

let interrupted = false;

async function main(argv: string[]): Promise<number> {
  const parsed = parseOptions(argv);
  if (parsed === "help") {
    console.log(USAGE);
    return 0;
  }
  const options = parsed;
  const started = epochNow();
  // Everything a run writes sits beside its JSON report (bench-results/bench.files/ by default),
  // so runs with different --out never share files.
  const filesDir = join(dirname(options.out), `${basename(options.out, ".json")}.files`);
  const workDir = join(filesDir, "tmp");
  const logDir = join(filesDir, "logs");
  const buildRoot = join(filesDir, "build");
  rmSync(filesDir, { recursive: true, force: true });
  mkdirSync(workDir, { recursive: true });
  mkdirSync(logDir, { recursive: true });

  const template = loadTemplate();
  const fns: Functions = {
    search: functionOf(template, "SearchFunction"),
    scheduled: functionOf(template, "ScheduledFunction"),
  };
  progress("building the bundles (deployed, without Powertools, floor)");
  const bundles: Bundles = {
    search: await buildVariants(fns.search, buildRoot),
    scheduled: await buildVariants(fns.scheduled, buildRoot),
  };

  progress("starting moto and the Spotify emulator");
  let stack: Awaited<ReturnType<typeof startLocalStack>> | undefined;
  let proxy: CountingProxy | undefined;
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    killRunningChildren();
    await proxy?.close();
    await stack?.stop();
  };
  const onSignal = (signal: NodeJS.Signals) => {
    interrupted = true;
    progress(`${signal}: stopping`);
    void stop().finally(() => process.exit(130));
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  try {
    stack = await startLocalStack();
    const emulator = stack.emulator;
    if (!emulator) throw new Error("the local stack started without the Spotify emulator");
    proxy = await startCountingProxy(stack.moto.endpoint);
    const bench: Bench = {
      emulator,
      proxy,
      stackEnv: { ...stack.env, AWS_ENDPOINT_URL: proxy.endpoint },
      workDir,
      logDir,
    };
    const measured = await measure(options, fns, bundles, bench, {
      buildRoot,
      profileDir: join(filesDir, "profile"),
    });
    const results: Results = { options, bundles, ...measured, durationMs: epochNow() - started };
    const rows = buildRows(results);
    const notes = notesFor(results, rows);

    const mode = options.quick ? "quick" : "full";
    console.log(
      `Benchmark (${mode}) — node ${process.version}, ${availableParallelism()} × ${cpus()[0]?.model ?? "cpu"}, ` +
        `${round(results.durationMs / 1000, 1)} s\n`,
    );
    console.log(renderTable(rows));
    console.log(
      "\nWhere the cold start goes (process start = 0; wire times from the proxy and the emulator)",
    );
    console.log(renderColdPhases(results.cold));
    if (results.profile) console.log(`\n${renderProfile(results.profile)}`);
    console.log("\nWhat dominates the bundles (esbuild metafile, by package)");
    console.log(
      renderComposition([
        bundles.search.deployed,
        bundles.search.floor,
        bundles.scheduled.deployed,
        bundles.scheduled.floor,
      ]),
    );
    const missed = rows.filter((r) => r.status === "miss");
    console.log(
      `\nTargets: ${rows.filter((r) => r.status === "pass").length} met, ${missed.length} missed` +
        (missed.length > 0 ? `: ${missed.map((r) => r.figure).join("; ")}` : ""),
    );
    for (const note of notes) console.log(`- ${note}`);

    const report = {
      schema: 1,
      generatedAt: new Date().toISOString(),
      mode,
      machine: {
        node: process.version,
        platform: `${process.platform}-${process.arch}`,
        cpus: availableParallelism(),
        cpuModel: cpus()[0]?.model,
      },
      settings: {
        ...options,
        out: relative(PROJECT_ROOT, options.out),
        rateWindow: RATE_WINDOW,
        tokenLifetime: options.tokenLifetime ? TOKEN_LIFETIME : null,
        targets: TARGETS,
      },
      durationMs: round(results.durationMs, 0),
      searchUrl: results.searchUrl,
      bundles: Object.fromEntries(
        Object.entries(bundles).map(([fn, variants]) => [
          fn,
          Object.fromEntries(Object.entries(variants).map(([v, b]) => [v, bundleJson(b)])),
        ]),
      ),
      cold: results.cold,
      warm: results.warm,
      tokenLifetime: results.lifetime ?? null,
      throughput: results.throughput,
      profile: results.profile ?? null,
      rows,
      missed: missed.map((r) => r.figure),
      notes,
    };
    writeFileSync(options.out, `${JSON.stringify(report, null, 2)}\n`);
    progress(
      `wrote ${relative(process.cwd(), options.out)}; function output in ${relative(process.cwd(), logDir)}/`,
    );
    return options.strict && missed.length > 0 ? 1 : 0;
  } finally {
    await stop();
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    rmSync(workDir, { recursive: true, force: true });
  }
}

const invokedPath = process.argv[1];
if (invokedPath && import.meta.url === pathToFileURL(resolve(invokedPath)).href) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      if (interrupted) return; // the signal handler reports and exits
      console.error(
        `bench failed: ${error instanceof Error ? (error.stack ?? error.message) : error}`,
      );
      process.exitCode = 1;
    },
  );
}

export { main };
