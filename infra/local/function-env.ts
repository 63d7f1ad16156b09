import { functionEnvironment, lambdaRuntimeVariables } from "../template/function-environment.ts";
import type { CfnTemplate, FunctionSpec } from "../template/template.ts";
import type { LocalStack } from "./stack.ts";

/**
 * The environment `npm start` runs a function with: template.yaml's variables, over them the local
 * stand-ins (the Lambda runtime's variables, moto's endpoint, the emulator's URLs), and over those
 * every variable the template sets that the shell sets too, so `CACHE_TTL_SECONDS=5 npm start`
 * serves a 5 s TTL. Variables the template does not set (the SDK's endpoint, region and keys)
 * stay the local stack's: the stack was seeded there.
 */
export function localFunctionEnvironment(
  template: CfnTemplate,
  fn: FunctionSpec,
  stack: Pick<LocalStack, "resources" | "env">,
  shell: Readonly<Record<string, string | undefined>>,
): Record<string, string> {
  const fromShell: Record<string, string> = {};
  for (const name of Object.keys(fn.environment)) {
    const value = shell[name];
    if (value !== undefined) fromShell[name] = value;
  }
  return functionEnvironment(template, fn.logicalId, {
    resources: stack.resources,
    overrides: { ...lambdaRuntimeVariables(fn), ...stack.env, ...fromShell },
  });
}
