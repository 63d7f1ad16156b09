import { functionEnvironment } from "../../template/function-environment.ts";
import type { CfnTemplate, FunctionSpec } from "../../template/template.ts";

/**
 * The environment a deployed container of `fn` gets: what the Lambda runtime sets, the template's
 * variables through the project's one resolver (`resources` stand for `!Ref <Resource>`,
 * parameters at their defaults), then `local` (the local endpoints) and `extra` (the mode's
 * variables; `undefined` removes one, e.g. CACHE_TABLE_NAME for the modes without the table).
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
    AWS_LAMBDA_FUNCTION_NAME: fn.logicalId,
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(fn.memorySize),
    AWS_LAMBDA_FUNCTION_VERSION: "$LATEST",
    AWS_LAMBDA_LOG_FORMAT: "JSON",
    AWS_LAMBDA_LOG_LEVEL: "INFO",
    AWS_EXECUTION_ENV: `AWS_Lambda_${fn.runtime}`,
    AWS_LAMBDA_INITIALIZATION_TYPE: "on-demand",
    AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${fn.logicalId}`,
    _HANDLER: fn.handler,
    ...functionEnvironment(template, fn.logicalId, { resources, overrides }),
    ...local,
    ...overrides,
  };
  if (env.AWS_REGION !== undefined) env.AWS_DEFAULT_REGION = env.AWS_REGION;
  for (const [name, value] of Object.entries(extra)) if (value === undefined) delete env[name];
  return env;
}
