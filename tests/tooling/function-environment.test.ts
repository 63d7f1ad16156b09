// biome-ignore-all lint/suspicious/noTemplateCurlyInString: CloudFormation ${} substitutions, not JS.
import { describe, expect, it } from "vitest";
import {
  functionEnvironment,
  lambdaRuntimeVariables,
} from "../../infra/template/function-environment.ts";
import { functionOf, loadTemplate, parseTemplate } from "../../infra/template/template.ts";

const template = parseTemplate(`
Parameters:
  CacheTtlSeconds: { Type: Number, Default: 300 }
  ExistingTableName: { Type: String, Default: "" }
  NoDefault: { Type: String }
Conditions:
  CreateTable: !Equals [!Ref ExistingTableName, ""]
  KeepTable: !Not [!Condition CreateTable]
Globals:
  Function:
    Environment:
      Variables:
        FROM_GLOBALS: literal
Resources:
  CacheTable: { Type: AWS::DynamoDB::Table }
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Handler: app.handler
      Runtime: nodejs22.x
      Environment:
        Variables:
          NUMBER: 42
          CACHE_TTL_SECONDS: !Ref CacheTtlSeconds
          CACHE_TABLE_NAME: !If [CreateTable, !Ref CacheTable, !Ref ExistingTableName]
          KEPT: !If [KeepTable, yes, !Ref AWS::NoValue]
          TABLE_ARN: !GetAtt CacheTable.Arn
          JOINED: !Join [",", [a, !Ref CacheTtlSeconds]]
  Unresolvable:
    Type: AWS::Serverless::Function
    Properties:
      Handler: app.handler
      Runtime: nodejs22.x
      Environment:
        Variables:
          NEEDS_VALUE: !Ref NoDefault
          NOWHERE: !Ref NoSuchThing
`);
const resources = { CacheTable: "local-cache", "CacheTable.Arn": "arn:local-cache" };

describe("functionEnvironment", () => {
  it("gives literals as strings, Globals merged in", () => {
    const env = functionEnvironment(template, "Fn", { resources });
    expect(env).toMatchObject({ FROM_GLOBALS: "literal", NUMBER: "42" });
  });

  it("resolves !Ref of a parameter to its default, or to the value given", () => {
    expect(functionEnvironment(template, "Fn", { resources }).CACHE_TTL_SECONDS).toBe("300");
    const given = functionEnvironment(template, "Fn", {
      resources,
      parameters: { CacheTtlSeconds: "60" },
    });
    expect(given.CACHE_TTL_SECONDS).toBe("60");
    expect(given.JOINED).toBe("a,60");
  });

  it("resolves !Ref and !GetAtt of a resource from the local values", () => {
    const env = functionEnvironment(template, "Fn", { resources });
    expect(env.CACHE_TABLE_NAME).toBe("local-cache");
    expect(env.TABLE_ARN).toBe("arn:local-cache");
  });

  it("takes the !If branch the template's Conditions choose, and drops AWS::NoValue", () => {
    expect(functionEnvironment(template, "Fn", { resources }).KEPT).toBeUndefined();
    const existing = functionEnvironment(template, "Fn", {
      resources,
      parameters: { ExistingTableName: "shared-cache" },
    });
    expect(existing.CACHE_TABLE_NAME).toBe("shared-cache");
    expect(existing.KEPT).toBe("yes");
  });

  it("expands !Sub with pseudo parameters, resources and its own variables", () => {
    const sub = parseTemplate(`
Resources:
  T: { Type: AWS::DynamoDB::Table }
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Handler: app.handler
      Runtime: nodejs22.x
      Environment:
        Variables:
          S: !Sub ["\${AWS::Region}/\${T}/\${Name}", { Name: x }]
`);
    expect(functionEnvironment(sub, "Fn", { resources: { T: "t" } }).S).toBe("us-east-1/t/x");
  });

  it("names the variable and the resource when a resource has no local value", () => {
    expect(() => functionEnvironment(template, "Fn")).toThrow(
      /Fn: CACHE_TABLE_NAME: refers to resource CacheTable, which has no local value/,
    );
  });

  it("names a parameter without a default, and a reference to nothing", () => {
    expect(() =>
      functionEnvironment(template, "Unresolvable", { overrides: { NOWHERE: "x" } }),
    ).toThrow(/NEEDS_VALUE: parameter NoDefault has no default/);
    expect(() =>
      functionEnvironment(template, "Unresolvable", { parameters: { NoDefault: "v" } }),
    ).toThrow(/NOWHERE: refers to NoSuchThing, which is no parameter or resource/);
  });

  it("sets overrides last and does not resolve what they replace", () => {
    const env = functionEnvironment(template, "Unresolvable", {
      overrides: { NEEDS_VALUE: "given", NOWHERE: "here", EXTRA: "1" },
    });
    expect(env).toEqual({
      FROM_GLOBALS: "literal",
      NEEDS_VALUE: "given",
      NOWHERE: "here",
      EXTRA: "1",
    });
  });

  it("resolves every variable of template.yaml's functions with the local stack's resources", () => {
    const sam = loadTemplate();
    const local = {
      SpotifySecret: "s",
      ScheduledQueriesParameter: "p",
      ResultsBucket: "b",
      CacheTable: "t",
    };
    const env = functionEnvironment(sam, "ScheduledFunction", { resources: local });
    expect(env).toMatchObject({
      SPOTIFY_SECRET_ID: "s",
      SCHEDULED_QUERIES_PARAMETER: "p",
      RESULTS_BUCKET: "b",
      CACHE_TABLE_NAME: "t",
      SPOTIFY_MAX_LIMIT: String(sam.Parameters?.SpotifyMaxLimit?.Default),
    });
  });
});

describe("lambdaRuntimeVariables", () => {
  it("are what Lambda sets from the function's settings", () => {
    const fn = functionOf(loadTemplate(), "SearchFunction");
    expect(lambdaRuntimeVariables(fn)).toMatchObject({
      AWS_LAMBDA_FUNCTION_NAME: "SearchFunction",
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(fn.memorySize),
      AWS_EXECUTION_ENV: `AWS_Lambda_${fn.runtime}`,
      AWS_LAMBDA_INITIALIZATION_TYPE: "on-demand",
      AWS_LAMBDA_LOG_FORMAT: "JSON",
      _HANDLER: fn.handler,
    });
  });
});
