/**
 * Reads the SAM template (template.yaml) into plain objects, with every CloudFormation short-form
 * tag (`!Ref`, `!Sub`, `!GetAtt`, ...) turned into its long form (`{Ref: x}`, `{"Fn::Sub": ...}`),
 * and gives typed views of its functions with the SAM `Globals` merged in.
 */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { type CollectionTag, parse, type ScalarTag, type YAMLMap, type YAMLSeq } from "yaml";

/** The repository root (the directory holding template.yaml and package.json). */
export const PROJECT_ROOT = fileURLToPath(new URL("../..", import.meta.url));

/** Default location of the SAM template. */
export const TEMPLATE_PATH = resolve(PROJECT_ROOT, "template.yaml");

export type CfnValue = unknown;

export interface CfnResource {
  Type: string;
  Properties?: Record<string, CfnValue>;
  Metadata?: Record<string, CfnValue>;
  Condition?: string;
  DependsOn?: string | string[];
  DeletionPolicy?: string;
  UpdateReplacePolicy?: string;
}

export interface CfnParameter {
  Type: string;
  Default?: CfnValue;
  AllowedValues?: CfnValue[];
  AllowedPattern?: string;
  MinValue?: number;
  MaxValue?: number;
  Description?: string;
  NoEcho?: boolean;
}

export interface CfnTemplate {
  AWSTemplateFormatVersion?: string;
  Transform?: string | string[];
  Description?: string;
  Metadata?: Record<string, CfnValue>;
  Parameters?: Record<string, CfnParameter>;
  Rules?: Record<string, CfnValue>;
  Mappings?: Record<string, CfnValue>;
  Conditions?: Record<string, CfnValue>;
  Globals?: Record<string, Record<string, CfnValue>>;
  Resources: Record<string, CfnResource>;
  Outputs?: Record<string, CfnValue>;
}

/** One `AWS::Serverless::Function` with the `Globals.Function` section merged in (SAM rules). */
export interface FunctionSpec {
  logicalId: string;
  handler: string;
  codeUri: string;
  runtime: string;
  timeout: number;
  memorySize: number;
  architectures: string[];
  environment: Record<string, unknown>;
  buildMethod: string | undefined;
  buildProperties: Record<string, unknown>;
  /** All properties after the merge, for checks the fields above do not cover. */
  properties: Record<string, unknown>;
}

/** Short-form name → long-form key. `!Ref` and `!Condition` keep their bare names. */
const SHORT_FORMS: Record<string, string> = {
  Ref: "Ref",
  Condition: "Condition",
  Sub: "Fn::Sub",
  GetAtt: "Fn::GetAtt",
  If: "Fn::If",
  Equals: "Fn::Equals",
  Not: "Fn::Not",
  And: "Fn::And",
  Or: "Fn::Or",
  Join: "Fn::Join",
  Select: "Fn::Select",
  Split: "Fn::Split",
  FindInMap: "Fn::FindInMap",
  ImportValue: "Fn::ImportValue",
  Base64: "Fn::Base64",
  GetAZs: "Fn::GetAZs",
  Cidr: "Fn::Cidr",
  Transform: "Fn::Transform",
  Length: "Fn::Length",
  ToJsonString: "Fn::ToJsonString",
  Contains: "Fn::Contains",
  EachMemberEquals: "Fn::EachMemberEquals",
  EachMemberIn: "Fn::EachMemberIn",
  ValueOf: "Fn::ValueOf",
  ValueOfAll: "Fn::ValueOfAll",
  RefAll: "Fn::RefAll",
};

function scalarValue(name: string, key: string, value: string): Record<string, unknown> {
  if (name === "GetAtt") {
    // `!GetAtt Resource.Attr.Nested` → ["Resource", "Attr.Nested"]
    const dot = value.indexOf(".");
    return { [key]: dot < 0 ? [value] : [value.slice(0, dot), value.slice(dot + 1)] };
  }
  return { [key]: value };
}

/** `yaml` custom tags for every CloudFormation short form (scalar, sequence and mapping node forms). */
export const CFN_TAGS: (ScalarTag | CollectionTag)[] = Object.entries(SHORT_FORMS).flatMap(
  ([name, key]) => {
    const tag = `!${name}`;
    const scalar: ScalarTag = {
      tag,
      identify: () => false,
      resolve: (value: string) => scalarValue(name, key, value),
    };
    const seq: CollectionTag = {
      tag,
      collection: "seq",
      identify: () => false,
      resolve: (node) => ({ [key]: (node as YAMLSeq).toJSON() }),
    };
    const map: CollectionTag = {
      tag,
      collection: "map",
      identify: () => false,
      resolve: (node) => ({ [key]: (node as YAMLMap).toJSON() }),
    };
    return [scalar, seq, map];
  },
);

/** Parses template text; short forms become long-form objects. Throws on any YAML error. */
export function parseTemplate(text: string): CfnTemplate {
  const doc: unknown = parse(text, { customTags: CFN_TAGS, prettyErrors: true, strict: true });
  if (!isRecord(doc) || !isRecord(doc.Resources)) {
    throw new Error("Not a CloudFormation template: no Resources section");
  }
  return doc as unknown as CfnTemplate;
}

/** Reads and parses a template; relative paths are resolved against the working directory. */
export function loadTemplate(path: string = TEMPLATE_PATH): CfnTemplate {
  return parseTemplate(readFileSync(resolve(path), "utf8"));
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A single-key object such as `{Ref: x}` or `{"Fn::If": [...]}`: SAM merges those as primitives. */
export function isIntrinsic(value: unknown): boolean {
  if (!isRecord(value)) return false;
  const keys = Object.keys(value);
  const only = keys[0];
  return (
    keys.length === 1 &&
    only !== undefined &&
    (only === "Ref" || only === "Condition" || only.startsWith("Fn::"))
  );
}

/**
 * SAM's Globals merge: maps merge key by key (the resource wins), lists are concatenated
 * (globals first), everything else (including intrinsic functions) is replaced by the resource's value.
 */
export function mergeGlobals(global: unknown, local: unknown): unknown {
  if (local === undefined) return global;
  if (global === undefined) return local;
  if (isRecord(global) && isRecord(local) && !isIntrinsic(global) && !isIntrinsic(local)) {
    const merged: Record<string, unknown> = { ...global };
    for (const [key, value] of Object.entries(local))
      merged[key] = mergeGlobals(global[key], value);
    return merged;
  }
  if (Array.isArray(global) && Array.isArray(local)) return [...global, ...local];
  return local;
}

const SAM_FUNCTION = "AWS::Serverless::Function";

function str(value: unknown, what: string): string {
  if (typeof value !== "string" || value === "")
    throw new Error(`${what} must be a literal string`);
  return value;
}

function num(value: unknown, fallback: number, what: string): number {
  if (value === undefined) return fallback;
  const n = typeof value === "string" ? Number(value) : value;
  if (typeof n !== "number" || !Number.isFinite(n))
    throw new Error(`${what} must be a literal number`);
  return n;
}

/** The function with `logicalId`, Globals merged in. Throws if missing or not a SAM function. */
export function functionOf(template: CfnTemplate, logicalId: string): FunctionSpec {
  const resource = template.Resources[logicalId];
  if (resource?.Type !== SAM_FUNCTION) {
    throw new Error(`${logicalId} is not an ${SAM_FUNCTION} in the template`);
  }
  const globals = template.Globals?.Function ?? {};
  const properties = mergeGlobals(globals, resource.Properties ?? {}) as Record<string, unknown>;
  const env = properties.Environment;
  const variables = isRecord(env) && isRecord(env.Variables) ? env.Variables : {};
  const metadata = resource.Metadata ?? {};
  const buildProperties = isRecord(metadata.BuildProperties) ? metadata.BuildProperties : {};
  const architectures = properties.Architectures ?? ["x86_64"];
  if (!Array.isArray(architectures) || !architectures.every((a) => typeof a === "string")) {
    throw new Error(`${logicalId}.Architectures must be a literal list`);
  }
  return {
    logicalId,
    handler: str(properties.Handler, `${logicalId}.Handler`),
    codeUri: str(properties.CodeUri ?? ".", `${logicalId}.CodeUri`),
    runtime: str(properties.Runtime, `${logicalId}.Runtime`),
    timeout: num(properties.Timeout, 3, `${logicalId}.Timeout`),
    memorySize: num(properties.MemorySize, 128, `${logicalId}.MemorySize`),
    architectures,
    environment: { ...variables },
    buildMethod: typeof metadata.BuildMethod === "string" ? metadata.BuildMethod : undefined,
    buildProperties: { ...buildProperties },
    properties,
  };
}

/** Every `AWS::Serverless::Function` in template order, Globals merged in. */
export function functionsOf(template: CfnTemplate): FunctionSpec[] {
  return Object.entries(template.Resources)
    .filter(([, resource]) => resource.Type === SAM_FUNCTION)
    .map(([logicalId]) => functionOf(template, logicalId));
}

/** Logical ids of the resources of `type`. */
export function resourcesOfType(template: CfnTemplate, type: string): [string, CfnResource][] {
  return Object.entries(template.Resources).filter(([, resource]) => resource.Type === type);
}
