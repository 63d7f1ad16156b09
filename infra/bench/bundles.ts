/**
 * The bundles the bench runs, built with each function's own esbuild settings from template.yaml:
 * the deployed one (infra/build/build.ts, what `sam build` ships) and its floor (floor/). The
 * bundle-size rows come from here.
 */
import { statSync } from "node:fs";
import { join, resolve } from "node:path";
import { build, type Metafile } from "esbuild";
import { buildFunction, esbuildOptionsFor } from "../build/build.ts";
import { type FunctionSpec, PROJECT_ROOT } from "../template/template.ts";
import type { Measurement } from "./child.ts";
import { row } from "./report.ts";

export interface Bundle {
  file: string;
  exportName: string;
  bytes: number;
  /** Bytes of the bundle that come from @aws-lambda-powertools. */
  powertoolsBytes: number;
}

const FLOORS: Record<string, string> = {
  SearchFunction: "infra/bench/floor/search-floor.ts",
  ScheduledFunction: "infra/bench/floor/scheduled-floor.ts",
};

function bundleOf(file: string, exportName: string, metafile: Metafile): Bundle {
  const output = Object.values(metafile.outputs).find((out) => out.entryPoint !== undefined);
  const powertoolsBytes = Object.entries(output?.inputs ?? {})
    .filter(([input]) => input.includes("node_modules/@aws-lambda-powertools/"))
    .reduce((sum, [, input]) => sum + input.bytesInOutput, 0);
  return { file, exportName, bytes: statSync(file).size, powertoolsBytes };
}

/** The deployed bundle of `fn` and its floor, under `outRoot`. */
export async function buildBundles(fn: FunctionSpec, outRoot: string) {
  const deployed = await buildFunction(fn.logicalId, { outRoot: join(outRoot, "deployed") });
  const floorEntry = FLOORS[fn.logicalId];
  if (!floorEntry) throw new Error(`no floor module for ${fn.logicalId}`);
  const workingDir = resolve(PROJECT_ROOT, fn.codeUri);
  const floorSpec = {
    ...fn,
    buildProperties: { ...fn.buildProperties, EntryPoints: [floorEntry] },
  };
  const floorDir = join(outRoot, "floor", fn.logicalId);
  const floor = await build({
    ...esbuildOptionsFor(floorSpec, workingDir, floorDir),
    metafile: true,
    logLevel: "warning",
  });
  const [floorOut] = Object.entries(floor.metafile.outputs).find(([, out]) => out.entryPoint) ?? [];
  if (!floorOut) throw new Error(`${floorEntry}: esbuild wrote no bundle`);
  const floorFile = resolve(workingDir, floorOut);
  return {
    bundle: bundleOf(deployed.handlerFile, deployed.handlerExport, deployed.metafile),
    floor: bundleOf(floorFile, "handler", floor.metafile),
  };
}

export const bundleSizes: Measurement = {
  name: "bundles",
  run: async (bench) => {
    const rows = [bench.search, bench.scheduled].flatMap(({ spec, bundle, floor }) => [
      row(`${spec.logicalId} bundle (minified)`, "KiB", bundle.bytes, floor.bytes),
      row(`${spec.logicalId} bundle: Powertools`, "KiB", bundle.powertoolsBytes),
    ]);
    return { rows, details: { search: bench.search, scheduled: bench.scheduled } };
  },
};
