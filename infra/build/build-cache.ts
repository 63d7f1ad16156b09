import { existsSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { functionOf, loadTemplate, PROJECT_ROOT, TEMPLATE_PATH } from "../template/template.ts";
import { type BuildOptions, buildFunction } from "./build.ts";

interface Stamp {
  handlerFile: string;
  handlerExport: string;
  /** Every file the build read (esbuild's metafile inputs, and the template): "size:mtime". */
  inputs: Record<string, string>;
}

function signature(file: string): string {
  if (!existsSync(file)) return "missing";
  const stat = statSync(file);
  return `${stat.size}:${stat.mtimeMs}`;
}

function isFresh(stamp: Stamp): boolean {
  return (
    existsSync(stamp.handlerFile) &&
    Object.entries(stamp.inputs).every(([file, was]) => signature(file) === was)
  );
}

/**
 * `buildFunction` into `.build/<LogicalId>/`, skipped when nothing the last build read has changed
 * since (a stamp beside the directory lists the inputs). Not for concurrent use on a stale build:
 * two processes would rebuild the same directory at once.
 */
export async function buildIfStale(
  logicalId: string,
  options: Pick<BuildOptions, "logLevel"> = {},
): Promise<{ handlerFile: string; handlerExport: string; reused: boolean }> {
  const outRoot = resolve(PROJECT_ROOT, ".build");
  const stampFile = join(outRoot, `${logicalId}.inputs.json`);
  if (existsSync(stampFile)) {
    const stamp = JSON.parse(readFileSync(stampFile, "utf8")) as Stamp;
    if (isFresh(stamp)) return { ...stamp, reused: true };
  }
  const build = await buildFunction(logicalId, { outRoot, logLevel: options.logLevel });
  // esbuild names its inputs relative to the function's CodeUri.
  const workingDir = resolve(PROJECT_ROOT, functionOf(loadTemplate(), logicalId).codeUri);
  const inputs = Object.keys(build.metafile.inputs).map((file) => resolve(workingDir, file));
  const files = [TEMPLATE_PATH, ...inputs];
  const stamp: Stamp = {
    handlerFile: build.handlerFile,
    handlerExport: build.handlerExport,
    inputs: Object.fromEntries(files.map((file) => [file, signature(file)])),
  };
  writeFileSync(stampFile, JSON.stringify(stamp));
  return { ...stamp, reused: false };
}
