import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { buildFunction } from "./build.ts";
import { localContext } from "./local/http-event.ts";
import { realCredentialsFromEnv, startLocalStack } from "./local/stack.ts";
import { type CfnTemplate, type FunctionSpec, functionOf, loadTemplate } from "./template.ts";

/**
 * `npm run invoke -- <LogicalId> <event.json> [--env-vars env.json]`: the Docker-free twin of
 * `sam local invoke <LogicalId> -e <event.json>`. Reads the function's handler, entry point and
 * environment from template.yaml, builds it with the template's esbuild settings, invokes the
 * bundle once on the local stack and prints the result as JSON on stdout (logs go to stderr).
 */
const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: { "env-vars": { type: "string", short: "n" } },
});
const [logicalId, eventFile] = positionals;
if (!logicalId || !eventFile) {
  process.stderr.write("usage: npm run invoke -- <LogicalId> <event.json> [--env-vars env.json]\n");
  process.exit(2);
}

let spec: FunctionSpec;
let template: CfnTemplate;
let event: unknown;
try {
  template = loadTemplate();
  spec = functionOf(template, logicalId);
  event = JSON.parse(readFileSync(resolve(eventFile), "utf8"));
} catch (error) {
  process.stderr.write(`${(error as Error).message}\n`);
  process.exit(2);
}

const build = await buildFunction(logicalId);
const stack = await startLocalStack({ realCredentials: realCredentialsFromEnv() });
let exitCode = 0;
try {
  Object.assign(process.env, environmentFor(spec, template, stack.env, values["env-vars"]));
  const module = (await import(pathToFileURL(build.handlerFile).href)) as Record<string, unknown>;
  const handler = module[build.handlerExport];
  if (typeof handler !== "function")
    throw new Error(`${build.handlerFile} exports no ${build.handlerExport}()`);
  const context = localContext(spec.logicalId, spec.timeout * 1000, spec.memorySize);
  const result = await logsToStderr(() => handler(event, context));
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
} catch (error) {
  // Lambda's own shape for a function error.
  const failure = {
    errorType: (error as Error).name ?? "Error",
    errorMessage: (error as Error).message,
  };
  process.stdout.write(`${JSON.stringify(failure, null, 2)}\n`);
  exitCode = 1;
} finally {
  await stack.stop();
}
process.exit(exitCode);

/**
 * The template's environment as SAM resolves it locally (a !Ref to a parameter is its default),
 * every resource reference taken from the local stack, then overrides from an --env-vars file.
 */
function environmentFor(
  fn: FunctionSpec,
  cfn: CfnTemplate,
  local: Record<string, string>,
  envVarsFile?: string,
) {
  const env: Record<string, string> = { ...local };
  for (const [name, value] of Object.entries(fn.environment)) {
    const resolved = resolveParameter(cfn, value);
    if (resolved !== undefined) env[name] = resolved;
    else if (local[name] === undefined) {
      throw new Error(`${fn.logicalId}: cannot resolve ${name} locally; set it with --env-vars`);
    }
  }
  // The local stack's endpoints win over the template's production URLs.
  Object.assign(env, local);
  if (envVarsFile) {
    const overrides = JSON.parse(readFileSync(resolve(envVarsFile), "utf8")) as Record<
      string,
      Record<string, string>
    >;
    Object.assign(env, overrides.Parameters ?? {}, overrides[fn.logicalId] ?? {});
  }
  return env;
}

function resolveParameter(cfn: CfnTemplate, value: unknown): string | undefined {
  if (typeof value === "string" || typeof value === "number") return String(value);
  const ref = (value as { Ref?: unknown } | null)?.Ref;
  const fallback = typeof ref === "string" ? cfn.Parameters?.[ref]?.Default : undefined;
  return fallback === undefined ? undefined : String(fallback);
}

/** Function logs go to stderr while it runs, as with `sam local invoke`, so stdout is the result. */
async function logsToStderr<T>(run: () => Promise<T>): Promise<T> {
  const write = process.stdout.write;
  process.stdout.write = process.stderr.write.bind(process.stderr) as typeof process.stdout.write;
  try {
    return await run();
  } finally {
    process.stdout.write = write;
  }
}
