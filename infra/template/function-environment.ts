/**
 * A function's environment as template.yaml gives it, resolved the way a local run needs it: the
 * one resolver behind `npm run invoke`, `npm start`, the bench and the template tests.
 */
import { type CfnTemplate, type FunctionSpec, functionOf, isRecord } from "./template.ts";

export interface EnvironmentOptions {
  /** What `!Ref <Resource>` (and `!GetAtt <Resource>.<Attr>`, key `Resource.Attr`) stands for. */
  resources?: Readonly<Record<string, string>>;
  /** Parameter values that replace the template's defaults (like `--parameter-overrides`). */
  parameters?: Readonly<Record<string, string>>;
  /** Variables set over the resolved ones (like `sam local invoke --env-vars`). */
  overrides?: Readonly<Record<string, string>>;
}

/** The pseudo parameters a local run stands in for. */
const PSEUDO: Record<string, string> = {
  "AWS::Region": "us-east-1",
  "AWS::AccountId": "123456789012",
  "AWS::Partition": "aws",
  "AWS::URLSuffix": "amazonaws.com",
  "AWS::StackName": "local",
  "AWS::StackId": "arn:aws:cloudformation:us-east-1:123456789012:stack/local/local",
};

/** Marks a value `!Ref AWS::NoValue` removed. */
const NO_VALUE = Symbol("AWS::NoValue");

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
  const resolver = new Resolver(template, options);
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

class Resolver {
  constructor(
    private readonly template: CfnTemplate,
    private readonly options: EnvironmentOptions,
  ) {}

  value(value: unknown): string | typeof NO_VALUE {
    if (typeof value === "string") return value;
    if (typeof value === "number" || typeof value === "boolean") return String(value);
    if (!isRecord(value)) throw new Error(`cannot resolve ${JSON.stringify(value)}`);
    const [fn, args] = Object.entries(value)[0] ?? [];
    if (fn === "Ref" && args === "AWS::NoValue") return NO_VALUE;
    if (fn === "Ref") return this.ref(String(args));
    if (fn === "Fn::GetAtt" && Array.isArray(args)) return this.resource(args.join("."));
    if (fn === "Fn::If" && Array.isArray(args)) {
      return this.value(this.condition(String(args[0])) ? args[1] : args[2]);
    }
    if (fn === "Fn::Sub") return this.sub(args);
    if (fn === "Fn::Join" && Array.isArray(args) && Array.isArray(args[1])) {
      return args[1]
        .map((part) => this.value(part))
        .filter((part) => part !== NO_VALUE)
        .join(String(args[0]));
    }
    throw new Error(`${fn} is not resolved locally`);
  }

  private ref(name: string): string {
    const parameter = this.template.Parameters?.[name];
    if (parameter) {
      const given = this.options.parameters?.[name] ?? parameter.Default;
      if (given === undefined) throw new Error(`parameter ${name} has no default; pass a value`);
      return Array.isArray(given) ? given.join(",") : String(given);
    }
    const pseudo = PSEUDO[name];
    if (pseudo !== undefined) return pseudo;
    return this.resource(name);
  }

  private resource(name: string): string {
    const local = this.options.resources?.[name];
    if (local !== undefined) return local;
    const known = this.template.Resources[name.split(".")[0] ?? ""] !== undefined;
    throw new Error(
      known
        ? `refers to resource ${name}, which has no local value (give it in resources, or override the variable)`
        : `refers to ${name}, which is no parameter or resource of the template`,
    );
  }

  private sub(args: unknown): string {
    const [text, vars] = Array.isArray(args) ? args : [args, {}];
    const locals = isRecord(vars) ? vars : {};
    return String(text).replace(/\$\{([^}!]+)\}/g, (_match, name: string) => {
      if (name in locals) return String(this.value(locals[name]));
      return name.includes(".") && !name.startsWith("AWS::") ? this.resource(name) : this.ref(name);
    });
  }

  private condition(name: string): boolean {
    const expression = this.template.Conditions?.[name];
    if (expression === undefined) throw new Error(`condition ${name} is not in the template`);
    return this.truth(expression);
  }

  private truth(expression: unknown): boolean {
    if (!isRecord(expression)) throw new Error(`cannot evaluate ${JSON.stringify(expression)}`);
    const [fn, args] = Object.entries(expression)[0] ?? [];
    const list = Array.isArray(args) ? args : [];
    switch (fn) {
      case "Condition":
        return this.condition(String(args));
      case "Fn::Equals":
        return this.value(list[0]) === this.value(list[1]);
      case "Fn::Not":
        return !this.truth(list[0]);
      case "Fn::And":
        return list.every((item) => this.truth(item));
      case "Fn::Or":
        return list.some((item) => this.truth(item));
      default:
        throw new Error(`${fn} is not evaluated locally`);
    }
  }
}
