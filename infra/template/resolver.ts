/**
 * Evaluates the template's intrinsic functions the way CloudFormation would for given parameter
 * values: the one evaluator behind the function environment and the parameter checks.
 */
import { type CfnTemplate, isRecord } from "./template.ts";

export interface ResolverOptions {
  /** What `!Ref <Resource>` (and `!GetAtt <Resource>.<Attr>`, key `Resource.Attr`) stands for. */
  resources?: Readonly<Record<string, string>>;
  /** Parameter values that replace the template's defaults (like `--parameter-overrides`). */
  parameters?: Readonly<Record<string, string>>;
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
export const NO_VALUE = Symbol("AWS::NoValue");

export class TemplateResolver {
  constructor(
    private readonly template: CfnTemplate,
    private readonly options: ResolverOptions = {},
  ) {}

  /** A parameter's value as given, else its default; undefined when it has neither. */
  parameter(name: string): string | undefined {
    const parameter = this.template.Parameters?.[name];
    if (!parameter) throw new Error(`${name} is no parameter of the template`);
    const given = this.options.parameters?.[name] ?? parameter.Default;
    if (given === undefined) return undefined;
    return Array.isArray(given) ? given.join(",") : String(given);
  }

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

  /** Whether the template's condition `name` holds. */
  condition(name: string): boolean {
    const expression = this.template.Conditions?.[name];
    if (expression === undefined) throw new Error(`condition ${name} is not in the template`);
    return this.truth(expression);
  }

  /** A condition expression (`Fn::Equals`, `Fn::Not`, ..., and the Rules' `Fn::Contains`). */
  truth(expression: unknown): boolean {
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
      case "Fn::Contains":
        return this.list(list[0]).includes(String(this.value(list[1])));
      default:
        throw new Error(`${fn} is not evaluated locally`);
    }
  }

  /** A list value: a literal list, or a `!Ref` of a list parameter split at commas. */
  private list(value: unknown): string[] {
    if (Array.isArray(value)) return value.map((item) => String(this.value(item)));
    const resolved = this.value(value);
    return resolved === NO_VALUE ? [] : resolved.split(",");
  }

  private ref(name: string): string {
    if (this.template.Parameters?.[name]) {
      const value = this.parameter(name);
      if (value === undefined) throw new Error(`parameter ${name} has no default; pass a value`);
      return value;
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
}
