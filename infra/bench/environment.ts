import { functionEnvironment, lambdaRuntimeVariables } from "../template/function-environment.ts";
import type { CfnTemplate, FunctionSpec } from "../template/template.ts";

/**
 * The environment a deployed container of `fn` gets, in the bench and the fleet simulation: what
 * the Lambda runtime sets, the template's variables through the project's one resolver
 * (`resources` stand for `!Ref <Resource>`, parameters at their defaults), then `local` (the local
 * endpoints) and `extra` (the run's variables; `undefined` removes one, e.g. CACHE_TABLE_NAME).
 */
export function containerEnvironment(
  fn: FunctionSpec,
  template: CfnTemplate,
  resources: Readonly<Record<string, string>>,
  local: Readonly<Record<string, string>>,
  extra: Readonly<Record<string, string | undefined>> = {},
): Record<string, string> {
  const overrides: Record<string, string> = {};
  for (const [name, value] of Object.entries(extra))
    if (value !== undefined) overrides[name] = value;
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? "/usr/local/bin:/usr/bin:/bin",
    LANG: "en_US.UTF-8",
    TZ: ":UTC",
    ...lambdaRuntimeVariables(fn),
    // Lambda sets it from LoggingConfig.ApplicationLogLevel: the LogLevel parameter's default.
    AWS_LAMBDA_LOG_LEVEL: "INFO",
    ...functionEnvironment(template, fn.logicalId, { resources, overrides }),
    ...local,
    ...overrides,
  };
  env.AWS_DEFAULT_REGION = env.AWS_REGION ?? "us-east-1";
  for (const [name, value] of Object.entries(extra)) if (value === undefined) delete env[name];
  return env;
}
