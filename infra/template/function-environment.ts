/**
 * A function's environment as template.yaml gives it, resolved the way a local run needs it: the
 * one resolver behind `npm run invoke`, `npm start`, the bench and the template tests.
 */
import { NO_VALUE, type ResolverOptions, TemplateResolver } from "./resolver.ts";
import { type CfnTemplate, type FunctionSpec, functionOf, isRecord } from "./template.ts";

export interface EnvironmentOptions extends ResolverOptions {
  /** Variables set over the resolved ones (like `sam local invoke --env-vars`). */
  overrides?: Readonly<Record<string, string>>;
}

/**
 * `logicalId`'s Environment.Variables (Globals merged in) as strings: literals as they are, `!Ref`
 * of a parameter its value or default, `!Ref`/`!GetAtt` of a resource from `resources`, `!If` by
 * the template's Conditions, `!Sub` and `!Join` expanded; then `overrides` (a variable overridden
 * is not resolved). A reference with no local value is an error naming the variable.
 */
export function functionEnvironment(
  template: CfnTemplate,
  logicalId: string,
  options: EnvironmentOptions = {},
): Record<string, string> {
  const resolver = new TemplateResolver(template, options);
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(functionOf(template, logicalId).environment)) {
    if (options.overrides?.[name] !== undefined) continue;
    try {
      const resolved = resolver.value(value);
      if (resolved !== NO_VALUE) env[name] = resolved;
    } catch (error) {
      throw new Error(`${logicalId}: ${name}: ${(error as Error).message}`);
    }
  }
  return { ...env, ...options.overrides };
}

/** What the Lambda runtime itself sets in every container of `fn` (`sam local invoke` too). */
export function lambdaRuntimeVariables(fn: FunctionSpec): Record<string, string> {
  const logging = fn.properties.LoggingConfig;
  const format =
    isRecord(logging) && typeof logging.LogFormat === "string" ? logging.LogFormat : "";
  return {
    AWS_LAMBDA_FUNCTION_NAME: fn.logicalId,
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(fn.memorySize),
    AWS_LAMBDA_FUNCTION_VERSION: "$LATEST",
    AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${fn.logicalId}`,
    AWS_EXECUTION_ENV: `AWS_Lambda_${fn.runtime}`,
    // Powertools reads it to tell a cold start.
    AWS_LAMBDA_INITIALIZATION_TYPE: "on-demand",
    ...(format && { AWS_LAMBDA_LOG_FORMAT: format }),
    _HANDLER: fn.handler,
  };
}
