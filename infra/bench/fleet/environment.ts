import type { CfnTemplate, FunctionSpec } from "../../template.ts";

/**
 * The environment a deployed SearchFunction container gets: what the Lambda runtime sets, the
 * template's variables (Globals merged in; a `!Ref` to a parameter is its default, as deployed
 * with the defaults), then `local` (the local stack's endpoints and names) and `extra` on top.
 * A template value that only AWS can resolve (`!Ref SpotifySecret`) must come from `local` or
 * `extra` (where `undefined` removes the variable).
 */
export function functionEnvironment(
  fn: FunctionSpec,
  template: CfnTemplate,
  local: Record<string, string>,
  extra: Record<string, string | undefined> = {},
): Record<string, string> {
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
  };
  const unresolved: string[] = [];
  for (const [name, value] of Object.entries(fn.environment)) {
    const resolved = parameterValue(template, value);
    if (resolved !== undefined) env[name] = resolved;
    else if (local[name] === undefined && !(name in extra)) unresolved.push(name);
  }
  if (unresolved.length > 0) {
    throw new Error(`${fn.logicalId}: no local value for ${unresolved.join(", ")}`);
  }
  Object.assign(env, local);
  if (env.AWS_REGION !== undefined) env.AWS_DEFAULT_REGION = env.AWS_REGION;
  for (const [name, value] of Object.entries(extra)) {
    if (value === undefined) delete env[name];
    else env[name] = value;
  }
  return env;
}

function parameterValue(template: CfnTemplate, value: unknown): string | undefined {
  if (typeof value === "string" || typeof value === "number") return String(value);
  const ref = (value as { Ref?: unknown } | null)?.Ref;
  const fallback = typeof ref === "string" ? template.Parameters?.[ref]?.Default : undefined;
  return fallback === undefined ? undefined : String(fallback);
}
