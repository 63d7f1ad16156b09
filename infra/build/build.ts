/**
 * Bundles the Lambda functions exactly as `sam build` does, from the one source of truth: each
 * function's `Metadata.BuildProperties` in template.yaml. The translation follows aws-lambda-builders'
 * nodejs_npm_esbuild workflow (EsbuildCommandBuilder):
 *
 * - PascalCase property → snake_case → esbuild flag (`OutExtension` → `--out-extension`);
 * - `true` → `--flag`, `false` → no flag at all (esbuild's default stays), string → `--flag=value`,
 *   list → one `--flag:item` per item;
 * - always `--bundle --platform=node --outdir=<artifacts>`; `--target=es2020`, `--format=cjs` and
 *   `--minify` when the template does not mention them; `EntryPoints` resolved against CodeUri,
 *   an entry without an extension tries `.ts` then `.js`;
 * - `External` containing `./node_modules/*` marks every package.json dependency external.
 *
 * Output goes to `.build/<LogicalId>/` (SAM: `.aws-sam/build/<LogicalId>/`): with one entry point
 * esbuild puts the bundle at the top of that directory, so `handlers/search.ts` becomes `search.mjs`
 * and the template's Handler must be `search.handler`. The build checks that.
 *
 * CLI: `npm run build [-- LogicalId ...]`.
 */
import { existsSync, readFileSync, rmSync, statSync } from "node:fs";
import { extname, join, relative, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { build, type BuildOptions as EsbuildOptions, type Metafile } from "esbuild";
import {
  type CfnTemplate,
  type FunctionSpec,
  functionOf,
  functionsOf,
  loadTemplate,
  PROJECT_ROOT,
  TEMPLATE_PATH,
} from "../template/template.ts";

export interface BuildOptions {
  /** Template path or an already parsed template (default: template.yaml at the repository root). */
  template?: string | CfnTemplate;
  /** Directory CodeUri is relative to (default: the template's directory, or the repository root). */
  projectRoot?: string;
  /** Where `<LogicalId>/` directories go (default: `<projectRoot>/.build`). */
  outRoot?: string;
  /** esbuild's log level (default "warning"). */
  logLevel?: EsbuildOptions["logLevel"];
}

export interface BuildResult {
  logicalId: string;
  /** Absolute `.build/<LogicalId>` directory (the function's deployment package contents). */
  outDir: string;
  /** Absolute path of the file the template's Handler names. */
  handlerFile: string;
  /** Export the Handler names (`handler` for `search.handler`). */
  handlerExport: string;
  /** Size of handlerFile in bytes. */
  bytes: number;
  metafile: Metafile;
}

/** Extensions the Lambda Node.js runtime tries for a Handler's module, in its order. */
export const HANDLER_EXTENSIONS = [".js", ".mjs", ".cjs"] as const;

/** aws-lambda-builders sets these itself and ignores them in BuildProperties. */
const NON_CONFIGURABLE = new Set(["bundle", "platform", "outdir"]);
/** Accepted by Lambda Builders but not passed to esbuild. */
const IGNORED = new Set(["use_npm_ci", "entry_points"]);

type Kind =
  | "boolean"
  | "string"
  | "csv"
  | "list"
  | "record"
  | "boolRecord"
  | "sourcemap"
  | "number";

/** esbuild CLI flag → JS API option and how its value is written. */
const FLAGS: Record<string, { option: keyof EsbuildOptions; kind: Kind }> = {
  minify: { option: "minify", kind: "boolean" },
  "minify-whitespace": { option: "minifyWhitespace", kind: "boolean" },
  "minify-identifiers": { option: "minifyIdentifiers", kind: "boolean" },
  "minify-syntax": { option: "minifySyntax", kind: "boolean" },
  "keep-names": { option: "keepNames", kind: "boolean" },
  "tree-shaking": { option: "treeShaking", kind: "boolean" },
  "sources-content": { option: "sourcesContent", kind: "boolean" },
  "ignore-annotations": { option: "ignoreAnnotations", kind: "boolean" },
  "preserve-symlinks": { option: "preserveSymlinks", kind: "boolean" },
  splitting: { option: "splitting", kind: "boolean" },
  sourcemap: { option: "sourcemap", kind: "sourcemap" },
  target: { option: "target", kind: "csv" },
  "main-fields": { option: "mainFields", kind: "csv" },
  "resolve-extensions": { option: "resolveExtensions", kind: "csv" },
  conditions: { option: "conditions", kind: "csv" },
  "drop-labels": { option: "dropLabels", kind: "csv" },
  format: { option: "format", kind: "string" },
  charset: { option: "charset", kind: "string" },
  "legal-comments": { option: "legalComments", kind: "string" },
  "log-level": { option: "logLevel", kind: "string" },
  tsconfig: { option: "tsconfig", kind: "string" },
  packages: { option: "packages", kind: "string" },
  "entry-names": { option: "entryNames", kind: "string" },
  "chunk-names": { option: "chunkNames", kind: "string" },
  "asset-names": { option: "assetNames", kind: "string" },
  "public-path": { option: "publicPath", kind: "string" },
  "source-root": { option: "sourceRoot", kind: "string" },
  "line-limit": { option: "lineLimit", kind: "number" },
  external: { option: "external", kind: "list" },
  inject: { option: "inject", kind: "list" },
  pure: { option: "pure", kind: "list" },
  drop: { option: "drop", kind: "list" },
  "out-extension": { option: "outExtension", kind: "record" },
  banner: { option: "banner", kind: "record" },
  footer: { option: "footer", kind: "record" },
  loader: { option: "loader", kind: "record" },
  define: { option: "define", kind: "record" },
  alias: { option: "alias", kind: "record" },
  "log-override": { option: "logOverride", kind: "record" },
  supported: { option: "supported", kind: "boolRecord" },
};

/** `OutExtension` → `out_extension`, the way SAM CLI normalises BuildProperties. */
export function snakeCase(property: string): string {
  return property.replace(/(?<!^)(?=[A-Z])/g, "_").toLowerCase();
}

function keyValue(item: string, flag: string): [string, string] {
  const at = item.indexOf("=");
  if (at <= 0) throw new Error(`BuildProperties ${flag}: "${item}" is not key=value`);
  return [item.slice(0, at), item.slice(at + 1)];
}

function convert(flag: string, kind: Kind, value: boolean | string | string[]): unknown {
  if (kind === "list" || kind === "record" || kind === "boolRecord") {
    if (!Array.isArray(value)) throw new Error(`BuildProperties ${flag} must be a list`);
    if (kind === "list") return [...value];
    const entries = value.map((item) => keyValue(item, flag));
    if (kind === "record") return Object.fromEntries(entries);
    return Object.fromEntries(entries.map(([k, v]) => [k, v === "true"]));
  }
  if (Array.isArray(value)) throw new Error(`BuildProperties ${flag} must not be a list`);
  if (value === true) {
    if (kind === "boolean" || kind === "sourcemap") return true;
    throw new Error(`BuildProperties ${flag} needs a value`);
  }
  if (typeof value !== "string") throw new Error(`BuildProperties ${flag}: unexpected ${value}`);
  switch (kind) {
    case "boolean":
      if (value !== "true" && value !== "false") throw new Error(`${flag} must be true or false`);
      return value === "true";
    case "sourcemap":
      return value === "true" ? true : value === "false" ? false : value;
    case "csv":
      return value.split(",");
    case "number":
      return Number(value);
    default:
      return value;
  }
}

function readDependencies(packageJson: string): string[] {
  if (!existsSync(packageJson)) return [];
  const manifest = JSON.parse(readFileSync(packageJson, "utf8")) as { dependencies?: object };
  return Object.keys(manifest.dependencies ?? {});
}

function entryPoint(workingDir: string, entry: string): string {
  const full = resolve(workingDir, entry);
  if (extname(entry)) {
    if (existsSync(full)) return entry;
  } else {
    for (const ext of [".ts", ".js"]) if (existsSync(full + ext)) return entry + ext;
  }
  throw new Error(`entry point ${full} does not exist`);
}

/**
 * The esbuild options `sam build` would use for `fn` (see the module comment for the rules).
 * `workingDir` is the function's CodeUri directory, `outDir` its artifacts directory.
 */
export function esbuildOptionsFor(
  fn: FunctionSpec,
  workingDir: string,
  outDir: string,
): EsbuildOptions & { entryPoints: string[] } {
  if (fn.buildMethod !== "esbuild") {
    throw new Error(`${fn.logicalId}: Metadata.BuildMethod must be esbuild`);
  }
  const config = new Map<string, unknown>();
  for (const [property, value] of Object.entries(fn.buildProperties)) {
    config.set(snakeCase(property), value);
  }
  const entries = config.get("entry_points");
  if (!Array.isArray(entries) || entries.length === 0) {
    throw new Error(`${fn.logicalId}: BuildProperties.EntryPoints must be a non-empty list`);
  }
  const options: Record<string, unknown> = {
    absWorkingDir: workingDir,
    entryPoints: entries.map((entry) => entryPoint(workingDir, String(entry))),
    bundle: true,
    platform: "node",
    outdir: outDir,
  };
  if (!config.has("target")) options.target = ["es2020"];
  if (!config.has("format")) options.format = "cjs";
  if (!config.has("minify")) options.minify = true;

  const external = config.get("external");
  if (Array.isArray(external) && external.includes("./node_modules/*")) {
    options.external = readDependencies(join(workingDir, "package.json"));
    config.delete("external");
  }

  for (const [key, value] of config) {
    if (NON_CONFIGURABLE.has(key) || IGNORED.has(key)) continue;
    const flag = key.replaceAll("_", "-");
    const spec = FLAGS[flag];
    if (!spec) throw new Error(`${fn.logicalId}: BuildProperties ${key} is not supported here`);
    if (value === false) continue; // Lambda Builders drops `false` booleans: esbuild's default applies.
    if (typeof value !== "boolean" && typeof value !== "string" && !Array.isArray(value)) {
      throw new Error(`${fn.logicalId}: BuildProperties ${key} must be a boolean, string or list`);
    }
    options[spec.option] = convert(flag, spec.kind, value as boolean | string | string[]);
  }
  return options as unknown as EsbuildOptions & { entryPoints: string[] };
}

/** Splits a Handler (`search.handler`, `dir/app.lambdaHandler`) into module path and export name. */
export function parseHandler(handler: string): { module: string; exportName: string } {
  const dot = handler.lastIndexOf(".");
  if (dot <= 0 || dot === handler.length - 1)
    throw new Error(`Handler "${handler}" is not file.export`);
  return { module: handler.slice(0, dot), exportName: handler.slice(dot + 1) };
}

/** The file the Lambda runtime would load for `handler` from `outDir`, or undefined. */
export function resolveHandlerFile(outDir: string, handler: string): string | undefined {
  const { module } = parseHandler(handler);
  return HANDLER_EXTENSIONS.map((ext) => resolve(outDir, module + ext)).find((f) => existsSync(f));
}

function templateOf(template: BuildOptions["template"]): { parsed: CfnTemplate; root: string } {
  if (template === undefined) return { parsed: loadTemplate(TEMPLATE_PATH), root: PROJECT_ROOT };
  if (typeof template === "string") {
    return { parsed: loadTemplate(template), root: resolve(template, "..") };
  }
  return { parsed: template, root: PROJECT_ROOT };
}

async function buildSpec(fn: FunctionSpec, root: string, options: BuildOptions) {
  const workingDir = resolve(root, fn.codeUri);
  const outDir = resolve(options.outRoot ?? join(root, ".build"), fn.logicalId);
  const esbuildOptions = esbuildOptionsFor(fn, workingDir, outDir);
  rmSync(outDir, { recursive: true, force: true });
  const result = await build({
    ...esbuildOptions,
    metafile: true,
    write: true,
    logLevel: options.logLevel ?? "warning",
  });

  const { exportName } = parseHandler(fn.handler);
  const built = Object.keys(result.metafile.outputs).map((out) => resolve(workingDir, out));
  const handlerFile = resolveHandlerFile(outDir, fn.handler);
  if (!handlerFile) {
    const bundles = built.filter((f) => !f.endsWith(".map")).map((f) => relative(outDir, f));
    throw new Error(
      `${fn.logicalId}: Handler "${fn.handler}" names no file in ${outDir} ` +
        `(the build emitted ${bundles.join(", ")}; SAM flattens a single entry point to the top level)`,
    );
  }
  const output = result.metafile.outputs[relative(workingDir, handlerFile).split("\\").join("/")];
  if (!output?.entryPoint) {
    throw new Error(`${fn.logicalId}: ${handlerFile} is not a bundle of an entry point`);
  }
  if (esbuildOptions.format === "esm") {
    if (handlerFile.endsWith(".js")) {
      throw new Error(`${fn.logicalId}: an ESM bundle must end in .mjs (OutExtension .js=.mjs)`);
    }
    if (!output.exports.includes(exportName)) {
      throw new Error(
        `${fn.logicalId}: ${output.entryPoint} does not export "${exportName}" (Handler ${fn.handler})`,
      );
    }
  }
  return {
    logicalId: fn.logicalId,
    outDir,
    handlerFile,
    handlerExport: exportName,
    bytes: statSync(handlerFile).size,
    metafile: result.metafile,
  } satisfies BuildResult;
}

/** Builds one function of the template into `.build/<logicalId>/` and checks its Handler. */
export async function buildFunction(
  logicalId: string,
  options: BuildOptions = {},
): Promise<BuildResult> {
  const { parsed, root } = templateOf(options.template);
  return buildSpec(functionOf(parsed, logicalId), options.projectRoot ?? root, options);
}

/** Builds every esbuild function of the template. */
export async function buildAll(options: BuildOptions = {}): Promise<BuildResult[]> {
  const { parsed, root } = templateOf(options.template);
  const functions = functionsOf(parsed).filter((fn) => fn.buildMethod === "esbuild");
  return Promise.all(functions.map((fn) => buildSpec(fn, options.projectRoot ?? root, options)));
}

function kib(bytes: number): string {
  return `${(bytes / 1024).toFixed(1)} KiB`;
}

async function main(args: string[]): Promise<void> {
  const results =
    args.length > 0 ? await Promise.all(args.map((id) => buildFunction(id))) : await buildAll();
  for (const r of results) {
    const map = `${r.handlerFile}.map`;
    const mapSize = existsSync(map) ? ` (+ ${kib(statSync(map).size)} source map)` : "";
    const file = relative(process.cwd(), r.handlerFile);
    console.log(
      `${r.logicalId.padEnd(20)} ${file.padEnd(44)} ${kib(r.bytes).padStart(10)}${mapSize}`,
    );
  }
}

const invokedPath = process.argv[1];
if (invokedPath && import.meta.url === pathToFileURL(invokedPath).href) {
  main(process.argv.slice(2)).catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  });
}
