// biome-ignore-all lint/suspicious/noTemplateCurlyInString: CloudFormation ${} substitutions, not JS.
import { describe, expect, it } from "vitest";
import { createdResources, parameterErrors } from "../../infra/template/deployment.ts";
import { functionEnvironment } from "../../infra/template/function-environment.ts";
import { functionOf, isRecord, loadTemplate } from "../../infra/template/template.ts";

const template = loadTemplate();

function properties(logicalId: string): Record<string, unknown> {
  const resource = template.Resources[logicalId];
  if (!resource) throw new Error(`missing resource ${logicalId}`);
  return resource.Properties ?? {};
}

/** The `then` branch of an `Fn::If` on `condition`, whose `else` is `AWS::NoValue`. */
function onlyIf(value: unknown, condition: string): Record<string, unknown> {
  expect(value).toMatchObject({
    "Fn::If": [condition, expect.anything(), { Ref: "AWS::NoValue" }],
  });
  const then = (value as { "Fn::If": unknown[] })["Fn::If"][1];
  if (!isRecord(then)) throw new Error("not a mapping");
  return then;
}

const HTTP_API_RESOURCES = ["SearchApi", "SearchApiAccessLogGroup", "SearchApiInvokePermission"];
const FUNCTION_URL_RESOURCES = ["SearchFunctionUrl"];
const PUBLIC_URL_RESOURCES = ["SearchFunctionUrlPublicAccess", "SearchFunctionUrlPublicInvoke"];
const FRONT_DOOR_RESOURCES = [
  ...HTTP_API_RESOURCES,
  ...FUNCTION_URL_RESOURCES,
  ...PUBLIC_URL_RESOURCES,
];

describe("FrontDoor: exactly one front door", () => {
  it("FrontDoor is HttpApi (today's API) by default, or FunctionUrl", () => {
    expect(template.Parameters?.FrontDoor).toMatchObject({
      Default: "HttpApi",
      AllowedValues: ["HttpApi", "FunctionUrl"],
    });
  });

  it("SearchFunction has no event: SAM cannot make one conditional, so each door wires itself", () => {
    expect(functionOf(template, "SearchFunction").properties.Events).toBeUndefined();
  });

  it.each([
    ["HttpApi", "IAM", HTTP_API_RESOURCES],
    ["HttpApi", "NONE", HTTP_API_RESOURCES],
    ["HttpApi", "JWT", HTTP_API_RESOURCES],
    ["FunctionUrl", "IAM", FUNCTION_URL_RESOURCES],
    ["FunctionUrl", "NONE", [...FUNCTION_URL_RESOURCES, ...PUBLIC_URL_RESOURCES]],
  ])("FrontDoor %s, AuthMode %s creates only its own door", (door, auth, expected) => {
    const values = {
      FrontDoor: door,
      AuthMode: auth,
      ...(auth === "JWT" && { JwtIssuer: "https://issuer.example.com", JwtAudience: "app" }),
      ...(door === "FunctionUrl" && { SearchReservedConcurrency: "20" }),
    };
    expect(parameterErrors(template, values)).toEqual([]);
    const created = createdResources(template, values);
    expect(created.filter((id) => FRONT_DOOR_RESOURCES.includes(id)).sort()).toEqual(
      [...expected].sort(),
    );
    expect(created).toContain("SearchFunction");
  });
});

describe("FrontDoor HttpApi", () => {
  const api = template.Resources.SearchApi;
  const body = api?.Properties?.DefinitionBody as Record<string, unknown>;
  const get = (body.paths as Record<string, Record<string, Record<string, unknown>>>)["/search"]
    ?.get;

  it("is the explicit HTTP API, throttled, with AuthMode-driven security", () => {
    expect(api?.Type).toBe("AWS::Serverless::HttpApi");
    expect(api?.Condition).toBe("UseHttpApi");
    expect(api?.Properties?.DefaultRouteSettings).toEqual({
      ThrottlingBurstLimit: { Ref: "ThrottlingBurstLimit" },
      ThrottlingRateLimit: { Ref: "ThrottlingRateLimit" },
    });
    expect(template.Parameters?.AuthMode?.AllowedValues).toEqual(["NONE", "IAM", "JWT"]);
    const security = JSON.stringify(get?.security);
    expect(security).toContain("UseIamAuth");
    expect(security).toContain("UseJwtAuth");
  });

  it("routes GET /search to SearchFunction with payload 2.0, as SAM's HttpApi event did", () => {
    expect(Object.keys(body.paths as object)).toEqual(["/search"]);
    expect(get?.["x-amazon-apigateway-integration"]).toEqual({
      type: "aws_proxy",
      httpMethod: "POST",
      uri: {
        "Fn::Sub":
          "arn:${AWS::Partition}:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${SearchFunction.Arn}/invocations",
      },
      payloadFormatVersion: "2.0",
    });
  });

  it("lets only its own GET /search invoke the function", () => {
    expect(template.Resources.SearchApiInvokePermission).toEqual({
      Type: "AWS::Lambda::Permission",
      Condition: "UseHttpApi",
      Properties: {
        Action: "lambda:InvokeFunction",
        FunctionName: { Ref: "SearchFunction" },
        Principal: "apigateway.amazonaws.com",
        SourceArn: {
          "Fn::Sub":
            "arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:${SearchApi}/*/GET/search",
        },
      },
    });
    expect(template.Resources.SearchApiAccessLogGroup?.Condition).toBe("UseHttpApi");
  });
});

describe("FrontDoor FunctionUrl", () => {
  it("is a function URL on SearchFunction, AWS_IAM or NONE following AuthMode", () => {
    expect(template.Resources.SearchFunctionUrl).toMatchObject({
      Type: "AWS::Lambda::Url",
      Condition: "UseFunctionUrl",
      Properties: {
        TargetFunctionArn: { "Fn::GetAtt": ["SearchFunction", "Arn"] },
        AuthType: { "Fn::If": ["UseIamAuth", "AWS_IAM", "NONE"] },
        InvokeMode: "BUFFERED",
      },
    });
  });

  it("is public only with AuthMode NONE, with both actions a function URL needs", () => {
    expect(template.Conditions?.UsePublicFunctionUrl).toEqual({
      "Fn::And": [{ Condition: "UseFunctionUrl" }, { "Fn::Equals": [{ Ref: "AuthMode" }, "NONE"] }],
    });
    const grants = PUBLIC_URL_RESOURCES.map((id) => template.Resources[id]);
    for (const grant of grants) {
      expect(grant).toMatchObject({
        Type: "AWS::Lambda::Permission",
        Condition: "UsePublicFunctionUrl",
        Properties: { FunctionName: { Ref: "SearchFunction" }, Principal: "*" },
      });
    }
    expect(grants.map((g) => g?.Properties)).toEqual([
      expect.objectContaining({ Action: "lambda:InvokeFunctionUrl", FunctionUrlAuthType: "NONE" }),
      expect.objectContaining({ Action: "lambda:InvokeFunction", InvokedViaFunctionUrl: true }),
    ]);
  });

  it("refuses AuthMode JWT: a function URL cannot check a JWT", () => {
    const errors = parameterErrors(template, {
      FrontDoor: "FunctionUrl",
      AuthMode: "JWT",
      JwtIssuer: "https://issuer.example.com",
      JwtAudience: "app",
      SearchReservedConcurrency: "20",
    });
    expect(errors).toEqual([expect.stringMatching(/cannot check JWTs.*FrontDoor HttpApi/s)]);
  });

  it("the cap's own 429s (Lambda Throttles) alarm like the service's", () => {
    const alarm = template.Resources.SearchFunctionThrottlesAlarm;
    expect(alarm?.Condition).toBeUndefined(); // an exhausted account throttles either door
    expect(alarm?.Properties).toMatchObject({
      Namespace: "AWS/Lambda",
      MetricName: "Throttles",
      Dimensions: [{ Name: "FunctionName", Value: { Ref: "SearchFunction" } }],
      Statistic: "Sum",
      Threshold: { Ref: "ThrottledAnswersAlarmThreshold" },
      ComparisonOperator: "GreaterThanThreshold",
    });
  });

  it("requires SearchReservedConcurrency, its only cap; the HTTP API does not", () => {
    expect(parameterErrors(template, { FrontDoor: "FunctionUrl" })).toEqual([
      expect.stringMatching(/needs SearchReservedConcurrency/),
    ]);
    expect(parameterErrors(template, { FrontDoor: "HttpApi" })).toEqual([]);
  });
});

describe("CORS (CorsAllowOrigins)", () => {
  const httpApiCors = () =>
    onlyIf(
      (properties("SearchApi").DefinitionBody as Record<string, unknown>)[
        "x-amazon-apigateway-cors"
      ],
      "HasCorsOrigins",
    );
  const functionUrlCors = () => onlyIf(properties("SearchFunctionUrl").Cors, "HasCorsOrigins");

  it("is off by default (today's behaviour) and on with any origin given", () => {
    expect(template.Parameters?.CorsAllowOrigins?.Default).toBe("");
    expect(template.Conditions?.HasCorsOrigins).toEqual({
      "Fn::Not": [{ "Fn::Equals": [{ Ref: "CorsAllowOrigins" }, ""] }],
    });
  });

  it("the HTTP API allows GET with Authorization from the origins, and exposes the cache headers", () => {
    const cors = httpApiCors();
    expect(cors.allowOrigins).toEqual({ "Fn::Split": [",", { Ref: "CorsAllowOrigins" }] });
    expect(cors.allowMethods).toEqual(["GET"]);
    expect(cors.allowHeaders).toContain("authorization");
    expect(cors.exposeHeaders).toEqual(expect.arrayContaining(["cache-status", "age"]));
    expect(cors.maxAge).toBeGreaterThan(0);
    expect(cors.allowCredentials).toBeUndefined(); // bearer tokens and signatures need no cookies
  });

  it("the function URL has the same configuration", () => {
    const http = httpApiCors();
    const url = functionUrlCors();
    expect({
      allowOrigins: url.AllowOrigins,
      allowMethods: url.AllowMethods,
      allowHeaders: url.AllowHeaders,
      exposeHeaders: url.ExposeHeaders,
      maxAge: url.MaxAge,
    }).toEqual(http);
  });

  it.each([
    ["https://app.example.com", true],
    ["https://app.example.com,http://localhost:5173", true],
    ["*", true],
    ["app.example.com", false],
    ["https://app.example.com/", false],
    ["https://a.example.com, https://b.example.com", false],
  ])("CorsAllowOrigins=%s accepted: %s", (origins, accepted) => {
    expect(parameterErrors(template, { CorsAllowOrigins: origins }).length === 0).toBe(accepted);
  });
});

describe("PublicBaseUrl", () => {
  it("becomes the search function's PUBLIC_BASE_URL; empty by default", () => {
    const env = (values: Record<string, string>) =>
      functionEnvironment(template, "SearchFunction", {
        parameters: values,
        resources: { SpotifySecret: "s", CacheTable: "t" },
      });
    expect(env({}).PUBLIC_BASE_URL).toBe("");
    expect(env({ PublicBaseUrl: "https://music.example.com/api" }).PUBLIC_BASE_URL).toBe(
      "https://music.example.com/api",
    );
  });

  it.each([
    ["https://music.example.com", true],
    ["https://d111111abcdef8.cloudfront.net/api/v1", true],
    ["https://music.example.com/", false],
    ["http://music.example.com", false],
    ["https://music.example.com/search?x=1", false],
  ])("PublicBaseUrl=%s accepted: %s", (url, accepted) => {
    expect(parameterErrors(template, { PublicBaseUrl: url }).length === 0).toBe(accepted);
  });
});
