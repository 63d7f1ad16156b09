/**
 * What CloudFormation would make of template.yaml with given parameter values, before anything is
 * deployed: the parameter errors it would refuse the stack for (constraints and Rules), and the
 * resources the Conditions create. cfn-lint checks neither against parameter values.
 *
 *   npx tsx infra/template/deployment.ts FrontDoor=FunctionUrl AuthMode=NONE SearchReservedConcurrency=20
 *
 * prints the resources created, or each error with exit status 1.
 */
import { pathToFileURL } from "node:url";
import { TemplateResolver } from "./resolver.ts";
import { type CfnTemplate, isRecord, loadTemplate } from "./template.ts";

export type ParameterValues = Readonly<Record<string, string>>;

/** Every reason CloudFormation would refuse `values`: unknown names, constraints, Rules assertions. */
export function parameterErrors(template: CfnTemplate, values: ParameterValues = {}): string[] {
  const declared = template.Parameters ?? {};
  const errors = Object.keys(values)
    .filter((name) => declared[name] === undefined)
    .map((name) => `${name} is no parameter of the template`);
  const resolver = new TemplateResolver(template, { parameters: values });
  for (const [name, parameter] of Object.entries(declared)) {
    const value = resolver.parameter(name);
    if (value === undefined) {
      errors.push(`${name} needs a value (it has no default)`);
      continue;
    }
    const allowed = parameter.AllowedValues?.map(String);
    if (allowed && !allowed.includes(value)) {
      errors.push(`${name} must be one of ${allowed.join(", ")} (got "${value}")`);
    }
    // CloudFormation matches the whole value (Java's String.matches).
    if (parameter.AllowedPattern && !new RegExp(`^(?:${parameter.AllowedPattern})$`).test(value)) {
      errors.push(`${name} must match ${parameter.AllowedPattern} (got "${value}")`);
    }
    if (parameter.Type === "Number") {
      const number = Number(value);
      if (value.trim() === "" || !Number.isFinite(number)) {
        errors.push(`${name} must be a number (got "${value}")`);
      } else if (parameter.MinValue !== undefined && number < parameter.MinValue) {
        errors.push(`${name} must be at least ${parameter.MinValue} (got ${value})`);
      } else if (parameter.MaxValue !== undefined && number > parameter.MaxValue) {
        errors.push(`${name} must be at most ${parameter.MaxValue} (got ${value})`);
      }
    }
  }
  return errors.length > 0 ? errors : ruleErrors(template, resolver);
}

/** The AssertDescription of every failing assertion of a rule whose RuleCondition holds. */
function ruleErrors(template: CfnTemplate, resolver: TemplateResolver): string[] {
  const errors: string[] = [];
  for (const [name, rule] of Object.entries(template.Rules ?? {})) {
    if (!isRecord(rule)) throw new Error(`rule ${name} is not a mapping`);
    if (rule.RuleCondition !== undefined && !resolver.truth(rule.RuleCondition)) continue;
    const assertions = Array.isArray(rule.Assertions) ? rule.Assertions : [];
    for (const assertion of assertions) {
      if (!isRecord(assertion)) continue;
      if (!resolver.truth(assertion.Assert)) {
        errors.push(`${name}: ${String(assertion.AssertDescription ?? "assertion failed")}`);
      }
    }
  }
  return errors;
}

/** Logical ids of the resources the stack creates with `values` (their Condition holds, or none). */
export function createdResources(template: CfnTemplate, values: ParameterValues = {}): string[] {
  const resolver = new TemplateResolver(template, { parameters: values });
  return Object.entries(template.Resources)
    .filter(
      ([, resource]) => resource.Condition === undefined || resolver.condition(resource.Condition),
    )
    .map(([logicalId]) => logicalId);
}

/** `Key=Value` arguments, as `sam deploy --parameter-overrides` takes them. */
export function parseOverrides(args: readonly string[]): Record<string, string> {
  const values: Record<string, string> = {};
  for (const arg of args) {
    const equals = arg.indexOf("=");
    if (equals < 1) throw new Error(`expected Key=Value, got "${arg}"`);
    values[arg.slice(0, equals)] = arg.slice(equals + 1).replace(/^"(.*)"$/, "$1");
  }
  return values;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const template = loadTemplate();
  const values = parseOverrides(process.argv.slice(2));
  const errors = parameterErrors(template, values);
  if (errors.length > 0) {
    for (const error of errors) console.error(error);
    process.exitCode = 1;
  } else {
    console.log(createdResources(template, values).join("\n"));
  }
}
