/**
 * The bundles the bench measures, all built with the function's own esbuild settings from
 * template.yaml (infra/template.ts `esbuildOptionsFor`):
 *
 * - `deployed`: exactly what `sam build` ships (infra/build.ts `buildFunction`);
 * - `plain`: the same, with lib/observability/logger.ts and metrics.ts swapped for the console-JSON
 *   stand-ins in infra/bench/plain-observability/ (no Powertools) by an esbuild plugin;
 * - `floor`: the bare module of infra/bench/floor/ for that function.
 */
import { existsSync, statSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { build, type Metafile, type Plugin } from "esbuild";
import { buildFunction, esbuildOptionsFor, parseHandler } from "../build.ts";
import { type FunctionSpec, PROJECT_ROOT } from "../template.ts";

export type Variant = "deployed" | "plain" | "floor";

export interface PackageShare {
  /** npm package name, or `(project) <top folder>` for the repository's own files. */
  name: string;
  bytes: number;
  /** Share of the bundle file's size. */
  share: number;
}

export interface Bundle {
  logicalId: string;
  variant: Variant | "unminified";
  file: string;
  exportName: string;
  /** Minified bundle size in bytes (the .mjs file). */
  bytes: number;
  /** Size of its source map (read at load time under --enable-source-maps). */
  mapBytes: number;
  /** What the bundle is made of, largest first, grouped by package. */
  packages: PackageShare[];
}

/** Floors by function: the bare module the function's cold start is compared with. */
export const FLOOR_ENTRIES: Record<string, string> = {
  SearchFunction: "infra/bench/floor/search-floor.ts",
  ScheduledFunction: "infra/bench/floor/scheduled-floor.ts",
};

const PLAIN_DIR = resolve(PROJECT_ROOT, "infra/bench/plain-observability");

/** Resolves lib/observability/{logger,metrics}.ts to the Powertools-free stand-ins. */
export const plainObservabilityPlugin: Plugin = {
  name: "plain-observability",
  setup(pluginBuild) {
    pluginBuild.onResolve(
      { filter: /(^|[\\/])observability[\\/](logger|metrics)\.ts$/ },
      (args) => {
        if (args.importer.includes("node_modules") || args.importer.startsWith(PLAIN_DIR)) {
          return undefined;
        }
        const file = args.path.endsWith("logger.ts") ? "logger.ts" : "metrics.ts";
        return { path: join(PLAIN_DIR, file) };
      },
    );
  },
};

/** The npm package an input path belongs to, or `(project) <top folder>`. */
export function packageOf(input: string): string {
  const parts = input.split(/[\\/]/);
  const at = parts.lastIndexOf("node_modules");
  if (at >= 0) {
    const first = parts[at + 1] ?? "?";
    return first.startsWith("@") ? `${first}/${parts[at + 2] ?? "?"}` : first;
  }
  const top = parts[0] === "infra" && parts[1] === "bench" ? "infra/bench" : (parts[0] ?? "?");
  return `(project) ${top}`;
}

/** Groups the inputs of `outputFile`'s entry in `metafile` by package, largest first. */
export function packageShares(
  metafile: Metafile,
  outputFile: string,
  workingDir: string,
): PackageShare[] {
  const key = relative(workingDir, outputFile).split("\\").join("/");
  const output = metafile.outputs[key];
  if (!output) throw new Error(`metafile has no output ${key}`);
  const bytes = new Map<string, number>();
  for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
    const name = packageOf(input);
    bytes.set(name, (bytes.get(name) ?? 0) + bytesInOutput);
  }
  const total = statSync(outputFile).size;
  return [...bytes]
    .map(([name, size]) => ({ name, bytes: size, share: size / total }))
    .sort((a, b) => b.bytes - a.bytes);
}

function bundleOf(
  fn: FunctionSpec,
  variant: Bundle["variant"],
  file: string,
  exportName: string,
  metafile: Metafile,
): Bundle {
  const map = `${file}.map`;
  return {
    logicalId: fn.logicalId,
    variant,
    file,
    exportName,
    bytes: statSync(file).size,
    mapBytes: existsSync(map) ? statSync(map).size : 0,
    packages: packageShares(metafile, file, resolve(PROJECT_ROOT, fn.codeUri)),
  };
}

/** The bundle file esbuild wrote for the (single) entry point. */
function entryOutput(metafile: Metafile, workingDir: string): string {
  const found = Object.entries(metafile.outputs).find(
    ([path, output]) => output.entryPoint !== undefined && !path.endsWith(".map"),
  );
  if (!found) throw new Error("esbuild wrote no entry-point bundle");
  return resolve(workingDir, found[0]);
}

/** Builds the three variants of `fn` under `outRoot/<variant>/<LogicalId>/`. */
export async function buildVariants(
  fn: FunctionSpec,
  outRoot: string,
): Promise<Record<Variant, Bundle>> {
  const workingDir = resolve(PROJECT_ROOT, fn.codeUri);
  const { exportName } = parseHandler(fn.handler);

  const deployed = await buildFunction(fn.logicalId, { outRoot: join(outRoot, "deployed") });

  const plainDir = join(outRoot, "plain", fn.logicalId);
  const plain = await build({
    ...esbuildOptionsFor(fn, workingDir, plainDir),
    plugins: [plainObservabilityPlugin],
    metafile: true,
    logLevel: "warning",
  });
  const plainFile = entryOutput(plain.metafile, workingDir);
  const plainInputs = Object.keys(plain.metafile.inputs);
  if (plainInputs.some((input) => input.includes("@aws-lambda-powertools"))) {
    throw new Error(`${fn.logicalId}: the plain build still bundles Powertools`);
  }

  const floorEntry = FLOOR_ENTRIES[fn.logicalId];
  if (!floorEntry) throw new Error(`no floor module for ${fn.logicalId}`);
  const floorSpec: FunctionSpec = {
    ...fn,
    buildProperties: { ...fn.buildProperties, EntryPoints: [floorEntry] },
  };
  const floorDir = join(outRoot, "floor", fn.logicalId);
  const floor = await build({
    ...esbuildOptionsFor(floorSpec, workingDir, floorDir),
    metafile: true,
    logLevel: "warning",
  });

  return {
    deployed: bundleOf(fn, "deployed", deployed.handlerFile, exportName, deployed.metafile),
    plain: bundleOf(fn, "plain", plainFile, exportName, plain.metafile),
    floor: bundleOf(
      fn,
      "floor",
      entryOutput(floor.metafile, workingDir),
      "handler",
      floor.metafile,
    ),
  };
}

/**
 * The deployed build without minification (names and esbuild's `// path` module markers kept),
 * for CPU profiles: same esbuild settings otherwise, under `outRoot/unminified/<LogicalId>/`.
 */
export async function buildUnminified(fn: FunctionSpec, outRoot: string): Promise<Bundle> {
  const workingDir = resolve(PROJECT_ROOT, fn.codeUri);
  const outDir = join(outRoot, "unminified", fn.logicalId);
  const result = await build({
    ...esbuildOptionsFor(fn, workingDir, outDir),
    minify: false,
    metafile: true,
    logLevel: "warning",
  });
  const file = entryOutput(result.metafile, workingDir);
  return bundleOf(fn, "unminified", file, parseHandler(fn.handler).exportName, result.metafile);
}
