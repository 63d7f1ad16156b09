import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { buildIfStale } from "../build/build-cache.ts";
import { functionEnvironment, lambdaRuntimeVariables } from "../template/function-environment.ts";
import {
  type CfnTemplate,
  type FunctionSpec,
  functionOf,
  loadTemplate,
} from "../template/template.ts";
import { lambdaContext } from "./lambda-context.ts";
import { realCredentialsFromEnv, startLocalStack } from "./stack.ts";

/**
 * `npm run invoke -- <LogicalId> <event.json> [--env-vars env.json] [--aws-endpoint URL]`: the
 * Docker-free twin of `sam local invoke <LogicalId> -e <event.json>`. Reads the function's handler,
 * entry point and environment from template.yaml, builds it with the template's esbuild settings
 * (unless nothing changed since the last build), invokes the bundle once on the local stack and
 * prints the result as JSON on stdout (logs go to stderr). `--aws-endpoint` seeds a moto that is
 * already running instead of starting one.
 */
const USAGE =
  "usage: npm run invoke -- <LogicalId> <event.json> [--env-vars env.json] [--aws-endpoint URL]\n";
let positionals: string[];
let values: { "env-vars"?: string; "aws-endpoint"?: string };
try {
  ({ positionals, values } = parseArgs({
    allowPositionals: true,
    options: {
      "env-vars": { type: "string", short: "n" },
      "aws-endpoint": { type: "string" },
    },
  }));
} catch (error) {
  process.stderr.write(`${(error as Error).message}\n${USAGE}`);
  process.exit(2);
}
const [logicalId, eventFile] = positionals;
if (!logicalId || !eventFile) {
  process.stderr.write(USAGE);
  process.exit(2);
}

let spec: FunctionSpec;
let template: CfnTemplate;
let event: unknown;
let overrides: Record<string, string>;
try {
  template = loadTemplate();
  spec = functionOf(template, logicalId);
  event = JSON.parse(readFileSync(resolve(eventFile), "utf8"));
  overrides = envVars(values["env-vars"], logicalId);
} catch (error) {
  process.stderr.write(`${(error as Error).message}\n`);
  process.exit(2);
}

const build = await buildIfStale(logicalId);
const stack = await startLocalStack({
  realCredentials: realCredentialsFromEnv(),
  motoEndpoint: values["aws-endpoint"],
});
let exitCode = 0;
try {
  Object.assign(
    process.env,
    functionEnvironment(template, logicalId, {
      resources: stack.resources,
      overrides: { ...lambdaRuntimeVariables(spec), ...stack.env, ...overrides },
    }),
  );
  const module = (await import(pathToFileURL(build.handlerFile).href)) as Record<string, unknown>;
  const handler = module[build.handlerExport];
  if (typeof handler !== "function")
    throw new Error(`${build.handlerFile} exports no ${build.handlerExport}()`);
  const context = lambdaContext(spec.timeout * 1000, Date.now, {
    functionName: spec.logicalId,
    memoryMb: spec.memorySize,
  });
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

/** An `--env-vars` file as SAM reads it: `Parameters` for every function, then the function's own. */
function envVars(file: string | undefined, id: string): Record<string, string> {
  if (!file) return {};
  const all = JSON.parse(readFileSync(resolve(file), "utf8")) as Record<
    string,
    Record<string, string>
  >;
  return { ...all.Parameters, ...all[id] };
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
