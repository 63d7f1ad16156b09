// biome-ignore-all lint/suspicious/noTemplateCurlyInString: CloudFormation ${} substitutions, not JS.
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type BuildResult, buildAll } from "../../infra/build/build.ts";
import { parameterErrors } from "../../infra/template/deployment.ts";
import { functionEnvironment } from "../../infra/template/function-environment.ts";
import {
  type CfnTemplate,
  functionOf,
  functionsOf,
  isRecord,
  loadTemplate,
  PROJECT_ROOT,
  parseTemplate,
  resourcesOfType,
} from "../../infra/template/template.ts";
import * as config from "../../lib/config.ts";

const { FUNCTION_ENVIRONMENT } = config;

const template: CfnTemplate = loadTemplate();

/** Which FUNCTION_ENVIRONMENT list each function must satisfy. */
const ENVIRONMENT_OF = {
  SearchFunction: FUNCTION_ENVIRONMENT.search,
  ScheduledFunction: FUNCTION_ENVIRONMENT.scheduled,
} as const;

/** Every default lib/config.ts declares, from each of its `*_SETTINGS` tables. */
const DEFAULTS: Record<string, string | undefined> = Object.assign(
  {},
  ...Object.entries(config)
    .filter(([name]) => name.endsWith("_SETTINGS"))
    .map(([, settings]) => settings),
);

function resourceProps(logicalId: string): Record<string, unknown> {
  const resource = template.Resources[logicalId];
  if (!resource) throw new Error(`missing resource ${logicalId}`);
  return resource.Properties ?? {};
}

/** Every resource of the template stands for `local-<LogicalId>`, as a local stack would give it. */
const RESOURCES = Object.fromEntries(
  Object.keys(template.Resources).map((id) => [id, `local-${id}`]),
);

describe("template parser", () => {
  it("turns every CloudFormation short form into its long form", () => {
    const parsed = parseTemplate(`
Resources:
  R:
    Type: X
    Properties:
      Ref: !Ref Thing
      SubScalar: !Sub "arn:\${AWS::Partition}:s3:::\${Bucket}"
      SubSeq: !Sub ["\${A}-x", { A: !Ref B }]
      GetAttScalar: !GetAtt Stack.Outputs.Name
      GetAttSeq: !GetAtt [Fn, Arn]
      If: !If [Cond, !Equals [a, b], !Ref AWS::NoValue]
      Logic: !And [!Not [!Condition C1], !Or [!Condition C2, !Condition C3]]
      Join: !Join [",", !Split ["|", !Select [0, !GetAZs ""]]]
      Map: !FindInMap [M, !Ref AWS::Region, Key]
      Import: !ImportValue Exported
      Base64: !Base64 text
      Cidr: !Cidr [!GetAtt Vpc.CidrBlock, 4, 8]
`);
    expect(parsed.Resources.R?.Properties).toEqual({
      Ref: { Ref: "Thing" },
      SubScalar: { "Fn::Sub": "arn:${AWS::Partition}:s3:::${Bucket}" },
      SubSeq: { "Fn::Sub": ["${A}-x", { A: { Ref: "B" } }] },
      GetAttScalar: { "Fn::GetAtt": ["Stack", "Outputs.Name"] },
      GetAttSeq: { "Fn::GetAtt": ["Fn", "Arn"] },
      If: { "Fn::If": ["Cond", { "Fn::Equals": ["a", "b"] }, { Ref: "AWS::NoValue" }] },
      Logic: {
        "Fn::And": [
          { "Fn::Not": [{ Condition: "C1" }] },
          { "Fn::Or": [{ Condition: "C2" }, { Condition: "C3" }] },
        ],
      },
      Join: {
        "Fn::Join": [",", { "Fn::Split": ["|", { "Fn::Select": [0, { "Fn::GetAZs": "" }] }] }],
      },
      Map: { "Fn::FindInMap": ["M", { Ref: "AWS::Region" }, "Key"] },
      Import: { "Fn::ImportValue": "Exported" },
      Base64: { "Fn::Base64": "text" },
      Cidr: { "Fn::Cidr": [{ "Fn::GetAtt": ["Vpc", "CidrBlock"] }, 4, 8] },
    });
  });

  it("merges Globals the SAM way", () => {
    const search = functionOf(template, "SearchFunction");
    const scheduled = functionOf(template, "ScheduledFunction");
    expect(search.environment.SPOTIFY_API_URL).toBe("https://api.spotify.com/v1");
    expect(scheduled.environment.SPOTIFY_API_URL).toBe("https://api.spotify.com/v1");
    expect(scheduled.environment.RESULTS_BUCKET).toEqual({ Ref: "ResultsBucket" });
    expect(search.environment.RESULTS_BUCKET).toBeUndefined();
    expect(search.properties.LoggingConfig).toEqual({
      LogFormat: "JSON",
      ApplicationLogLevel: { Ref: "LogLevel" },
      SystemLogLevel: "INFO",
      LogGroup: { Ref: "SearchFunctionLogGroup" },
    });
  });
});

describe("functions", () => {
  const functions = functionsOf(template);

  it("are exactly SearchFunction and ScheduledFunction", () => {
    expect(functions.map((f) => f.logicalId).sort()).toEqual([
      "ScheduledFunction",
      "SearchFunction",
    ]);
  });

  it.each(Object.entries(ENVIRONMENT_OF))("%s sets every variable it reads", (id, names) => {
    const env = functionOf(template, id).environment;
    const missing = names.filter((name) => env[name] === undefined || env[name] === "");
    expect(missing).toEqual([]);
  });

  it.each(Object.entries(ENVIRONMENT_OF))("%s uses lib/config.ts defaults", (id, names) => {
    const env = functionEnvironment(template, id, { resources: RESOURCES });
    for (const name of names) {
      const fallback = DEFAULTS[name];
      if (fallback === undefined) continue;
      expect(env[name], name).toBe(fallback);
    }
  });

  it("point the settings at the stack's resources", () => {
    const search = functionOf(template, "SearchFunction").environment;
    const scheduled = functionOf(template, "ScheduledFunction").environment;
    const secret = {
      "Fn::If": ["CreateSecret", { Ref: "SpotifySecret" }, { Ref: "ExistingSecretArn" }],
    };
    expect(search.SPOTIFY_SECRET_ID).toEqual(secret);
    expect(scheduled.SPOTIFY_SECRET_ID).toEqual(secret);
    expect(search.SPOTIFY_MAX_LIMIT).toEqual({ Ref: "SpotifyMaxLimit" });
    expect(scheduled.SCHEDULED_QUERIES_PARAMETER).toEqual({ Ref: "ScheduledQueriesParameter" });
    expect(scheduled.RESULTS_BUCKET).toEqual({ Ref: "ResultsBucket" });
    expect(scheduled.RESULTS_PREFIX).toEqual({ Ref: "ResultsPrefix" });
    // The batch shares the fleet's cooldown record, which lives in the cache table.
    expect(scheduled.CACHE_TABLE_NAME).toEqual({ Ref: "CacheTable" });
    expect(search.CACHE_TABLE_NAME).toEqual({ Ref: "CacheTable" });
    expect(search.PUBLIC_BASE_URL).toEqual({ Ref: "PublicBaseUrl" });
    expect(scheduled.PUBLIC_BASE_URL).toBeUndefined(); // the batch's JSONL keeps Spotify's links
  });

  it("bound the upstream body in both functions (Globals)", () => {
    const globals = template.Globals?.Function?.Environment as {
      Variables: Record<string, unknown>;
    };
    expect(String(globals.Variables.UPSTREAM_MAX_BODY_BYTES)).toMatch(/^[1-9]\d*$/);
    for (const fn of functions) {
      expect(fn.environment.UPSTREAM_MAX_BODY_BYTES, fn.logicalId).toBe(
        globals.Variables.UPSTREAM_MAX_BODY_BYTES,
      );
    }
  });

  it.each(functions.map((f) => [f.logicalId, f] as const))(
    "%s runs on Node.js 22+ on arm64, bundled by esbuild as ESM",
    (_id, fn) => {
      const major = Number(/^nodejs(\d+)\.x$/.exec(fn.runtime)?.[1]);
      expect(major).toBeGreaterThanOrEqual(22);
      expect(fn.architectures).toEqual(["arm64"]);
      expect(fn.codeUri).toBe("./");
      expect(fn.buildMethod).toBe("esbuild");
      expect(fn.buildProperties).toMatchObject({
        Format: "esm",
        Minify: true,
        Sourcemap: true,
        OutExtension: [".js=.mjs"],
        MainFields: "module,main",
      });
      expect(fn.buildProperties.External).toBeUndefined(); // the AWS SDK is bundled
      expect(fn.environment.NODE_OPTIONS).toContain("--enable-source-maps");
    },
  );

  it("keeps SearchFunction inside API Gateway's 30 s and gives the batch longer", () => {
    const search = functionOf(template, "SearchFunction");
    const scheduled = functionOf(template, "ScheduledFunction");
    expect(search.timeout).toBeLessThan(30);
    expect(scheduled.timeout).toBeGreaterThan(search.timeout);
    expect(search.memorySize).toBeGreaterThanOrEqual(512);
  });

  it("send JSON logs to their own log group with a retention", () => {
    for (const fn of functions) {
      const logging = fn.properties.LoggingConfig as Record<string, unknown>;
      expect(logging.LogFormat).toBe("JSON");
      const ref = (logging.LogGroup as { Ref: string }).Ref;
      expect(template.Resources[ref]?.Type, fn.logicalId).toBe("AWS::Logs::LogGroup");
    }
    const groups = resourcesOfType(template, "AWS::Logs::LogGroup");
    expect(groups.length).toBeGreaterThanOrEqual(3);
    for (const [id, group] of groups) {
      expect(group.Properties?.RetentionInDays, id).toEqual({ Ref: "LogRetentionInDays" });
    }
  });
});

describe("handlers", () => {
  let outRoot: string;
  let results: BuildResult[];

  beforeAll(async () => {
    outRoot = mkdtempSync(join(tmpdir(), "template-test-"));
    results = await buildAll({ outRoot, logLevel: "silent" });
  }, 120_000);

  afterAll(() => rmSync(outRoot, { recursive: true, force: true }));

  it.each(Object.keys(ENVIRONMENT_OF))(
    "%s: the Handler names a file that exports a function, loaded the way Lambda loads it",
    (id) => {
      const fn = functionOf(template, id);
      const result = results.find((r) => r.logicalId === id);
      if (!result) throw new Error(`${id} was not built`);
      // A fresh Node process, like the Lambda runtime: try <module>.js/.mjs/.cjs, import, look up.
      const script = `
        const { existsSync } = await import("node:fs");
        const { pathToFileURL } = await import("node:url");
        const [dir, handler] = process.argv.slice(1);
        const dot = handler.lastIndexOf(".");
        const base = dir + "/" + handler.slice(0, dot);
        const file = [".js", ".mjs", ".cjs"].map((e) => base + e).find((f) => existsSync(f));
        const mod = await import(pathToFileURL(file).href);
        console.log(JSON.stringify({ file, type: typeof mod[handler.slice(dot + 1)] }));
      `;
      const env = {
        PATH: process.env.PATH ?? "",
        AWS_REGION: "eu-west-1",
        ...functionEnvironment(template, id, { resources: RESOURCES }),
      };
      const out = execFileSync(
        process.execPath,
        ["--input-type=module", "-e", script, result.outDir, fn.handler],
        { env, encoding: "utf8", timeout: 30_000 },
      );
      const loaded = JSON.parse(out.trim().split("\n").at(-1) ?? "{}") as {
        file: string;
        type: string;
      };
      expect(loaded.file).toBe(result.handlerFile);
      expect(loaded.type).toBe("function");
    },
    60_000,
  );
});

type Statement = Record<string, unknown>;

function statementsOf(policies: unknown, where: string): Statement[] {
  if (policies === undefined) return [];
  if (!Array.isArray(policies)) throw new Error(`${where}: Policies must be a list`);
  const statements: Statement[] = [];
  for (const policy of policies) {
    if (!isRecord(policy) || !Array.isArray(policy.Statement)) {
      // Managed policies and SAM policy templates would hide their resources from this check.
      throw new Error(
        `${where}: only inline policies are allowed, found ${JSON.stringify(policy)}`,
      );
    }
    for (const statement of policy.Statement) statements.push(...branches(statement));
  }
  return statements;
}

/** Both branches of `Fn::If` statements; `AWS::NoValue` dropped. */
function branches(value: unknown): Statement[] {
  if (!isRecord(value)) return [];
  if (value.Ref === "AWS::NoValue") return [];
  const ifArgs = value["Fn::If"];
  if (Array.isArray(ifArgs)) return [...branches(ifArgs[1]), ...branches(ifArgs[2])];
  return [value];
}

/** Every string a Resource may resolve to (Fn::Sub templates included), plus refs as "<ref>". */
function resourceStrings(value: unknown): string[] {
  if (typeof value === "string") return [value];
  if (Array.isArray(value)) return value.flatMap(resourceStrings);
  if (!isRecord(value)) return [];
  if ("Ref" in value || "Fn::GetAtt" in value) return ["<ref>"];
  const sub = value["Fn::Sub"];
  if (typeof sub === "string") return [sub];
  if (Array.isArray(sub) && typeof sub[0] === "string") return [sub[0]];
  const ifArgs = value["Fn::If"];
  if (Array.isArray(ifArgs)) return [...resourceStrings(ifArgs[1]), ...resourceStrings(ifArgs[2])];
  return [JSON.stringify(value)];
}

function actionsOf(statement: Statement): string[] {
  const action = statement.Action;
  return (Array.isArray(action) ? action : [action]).map(String);
}

describe("IAM", () => {
  const perFunction = functionsOf(template).map(
    (fn) => [fn.logicalId, statementsOf(fn.properties.Policies, fn.logicalId)] as const,
  );

  it("the template defines no IAM resources of its own (SAM generates the roles)", () => {
    const iam = Object.values(template.Resources).filter((r) => r.Type.startsWith("AWS::IAM::"));
    expect(iam).toEqual([]);
  });

  it.each(perFunction)("%s: no wildcard resources where an ARN is known", (_id, statements) => {
    expect(statements.length).toBeGreaterThan(0);
    for (const statement of statements) {
      expect(statement.Effect).toBe("Allow");
      expect(statement.NotResource).toBeUndefined();
      expect(statement.NotAction).toBeUndefined();
      for (const action of actionsOf(statement)) expect(action).not.toContain("*");
      for (const resource of resourceStrings(statement.Resource)) {
        expect(resource, JSON.stringify(statement)).not.toBe("*");
        // ARN fields must be concrete: no "arn:aws:s3:::*", no "...:parameter/*", no ":*" at all.
        expect(resource).not.toMatch(/:\*|\*:|^\*|\/\*.*\//);
        // The only wildcard allowed is a key suffix below a fixed prefix.
        if (resource.includes("*")) expect(resource).toMatch(/\/[^*/]+\/\*$/);
      }
    }
  });

  it("SearchFunction can read the secret and use the cache table, nothing else", () => {
    const statements = perFunction.find(([id]) => id === "SearchFunction")?.[1] ?? [];
    const actions = statements.flatMap(actionsOf);
    expect(actions.filter((a) => a.startsWith("s3:") || a.startsWith("ssm:"))).toEqual([]);
    expect(new Set(actions)).toEqual(
      new Set([
        "secretsmanager:GetSecretValue",
        "kms:Decrypt",
        "dynamodb:BatchGetItem",
        "dynamodb:GetItem",
        "dynamodb:PutItem",
        "dynamodb:UpdateItem",
      ]),
    );
    const dynamo = statements.filter((s) => actionsOf(s).some((a) => a.startsWith("dynamodb:")));
    expect(dynamo.map((s) => s.Resource)).toEqual([{ "Fn::GetAtt": ["CacheTable", "Arn"] }]);
  });

  it("ScheduledFunction may only read and update the fleet's cooldown record in the table", () => {
    const statements = perFunction.find(([id]) => id === "ScheduledFunction")?.[1] ?? [];
    const dynamo = statements.filter((s) => actionsOf(s).some((a) => a.startsWith("dynamodb:")));
    expect(dynamo).toHaveLength(1);
    const [record] = dynamo;
    expect(actionsOf(record ?? {}).sort()).toEqual(["dynamodb:GetItem", "dynamodb:UpdateItem"]);
    expect(record?.Resource).toEqual({ "Fn::GetAtt": ["CacheTable", "Arn"] });
    // ForAllValues: every key the request touches must be the record's (never a cached answer).
    const condition = record?.Condition as Record<string, Record<string, unknown>>;
    expect(Object.keys(condition)).toEqual(["ForAllValues:StringEquals"]);
    const keys = condition["ForAllValues:StringEquals"]?.["dynamodb:LeadingKeys"];
    expect(Array.isArray(keys) && keys.length === 1).toBe(true);
    // The key is the one the code writes the record under.
    const code = readdirSync(join(PROJECT_ROOT, "lib"), { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile() && entry.name.endsWith(".ts"))
      .map((entry) => readFileSync(join(entry.parentPath, entry.name), "utf8"))
      .join("\n");
    expect(code).toContain(`"${(keys as string[])[0]}"`);
  });

  it("ScheduledFunction reads its parameter and writes only below the results prefix", () => {
    const statements = perFunction.find(([id]) => id === "ScheduledFunction")?.[1] ?? [];
    const s3 = statements.filter((s) => actionsOf(s).some((a) => a.startsWith("s3:")));
    expect(s3.flatMap(actionsOf).sort()).toEqual(["s3:AbortMultipartUpload", "s3:PutObject"]);
    for (const s of s3) {
      expect(s.Resource).toEqual({ "Fn::Sub": "${ResultsBucket.Arn}/${ResultsPrefix}/*" });
    }
    const ssm = statements.filter((s) => actionsOf(s).some((a) => a.startsWith("ssm:")));
    expect(ssm.flatMap(actionsOf)).toEqual(["ssm:GetParameter"]);
    expect(resourceStrings(ssm[0]?.Resource)).toEqual([
      "arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter${ScheduledQueriesParameter}",
    ]);
  });

  it("kms:Decrypt only with a key parameter and only via Secrets Manager", () => {
    for (const [, statements] of perFunction) {
      for (const s of statements.filter((st) => actionsOf(st).includes("kms:Decrypt"))) {
        expect(s.Resource).toEqual({ Ref: "ExistingSecretKmsKeyArn" });
        expect(JSON.stringify(s.Condition)).toContain("kms:ViaService");
      }
    }
  });
});

describe("resources", () => {
  it("the results bucket is encrypted, private and TLS-only", () => {
    const bucket = resourceProps("ResultsBucket");
    const sse = (bucket.BucketEncryption as Record<string, unknown>)
      .ServerSideEncryptionConfiguration as Record<string, Record<string, unknown>>[];
    expect(sse[0]?.ServerSideEncryptionByDefault?.SSEAlgorithm).toMatch(/^(AES256|aws:kms)$/);
    expect(bucket.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
    const policy = resourceProps("ResultsBucketPolicy");
    expect(policy.Bucket).toEqual({ Ref: "ResultsBucket" });
    expect(JSON.stringify(policy.PolicyDocument)).toContain('"aws:SecureTransport":"false"');
  });

  it("the secret is created only without ExistingSecretArn, with a placeholder", () => {
    const secret = template.Resources.SpotifySecret;
    expect(secret?.Condition).toBe("CreateSecret");
    expect(JSON.parse(String(secret?.Properties?.SecretString))).toEqual({
      client_id: "REPLACE_ME",
      client_secret: "REPLACE_ME",
    });
    expect(template.Conditions?.CreateSecret).toEqual({
      "Fn::Equals": [{ Ref: "ExistingSecretArn" }, ""],
    });
  });

  it("the default scheduled queries are valid JSON in the documented shape", () => {
    const queries = JSON.parse(
      String(resourceProps("ScheduledQueriesParameter").Value),
    ) as unknown[];
    expect(queries.length).toBeGreaterThan(0);
    for (const q of queries) {
      expect(q).toMatchObject({ q: expect.any(String), type: expect.any(String) });
      expect(
        Object.keys(q as object).every((k) =>
          ["q", "type", "market", "limit", "pages"].includes(k),
        ),
      ).toBe(true);
    }
    expect(resourceProps("ScheduledQueriesParameter").Type).toBe("String");
  });

  it("the schedule is parameterised and can be switched off", () => {
    const events = functionOf(template, "ScheduledFunction").properties.Events as Record<
      string,
      { Type: string; Properties: Record<string, unknown> }
    >;
    const schedule = Object.values(events)[0];
    expect(schedule?.Type).toBe("ScheduleV2");
    expect(schedule?.Properties.ScheduleExpression).toEqual({ Ref: "ScheduleExpression" });
    expect(schedule?.Properties.State).toEqual({
      "Fn::If": ["ScheduleIsEnabled", "ENABLED", "DISABLED"],
    });
    expect(template.Parameters?.ScheduleExpression?.Default).toBe("rate(1 hour)");
  });

  it("alarms watch both functions' errors and the service's metrics", () => {
    const alarms = resourcesOfType(template, "AWS::CloudWatch::Alarm").map(
      ([, a]) => a.Properties ?? {},
    );
    for (const fn of ["SearchFunction", "ScheduledFunction"]) {
      expect(
        alarms.some(
          (a) =>
            a.Namespace === "AWS/Lambda" &&
            a.MetricName === "Errors" &&
            JSON.stringify(a.Dimensions) ===
              JSON.stringify([{ Name: "FunctionName", Value: { Ref: fn } }]),
        ),
        fn,
      ).toBe(true);
    }
    const env = functionOf(template, "SearchFunction").environment;
    for (const metric of ["ThrottledAnswers", "ScheduledFailed"]) {
      const alarm = alarms.find((a) => a.MetricName === metric);
      expect(alarm?.Namespace, metric).toBe(env.POWERTOOLS_METRICS_NAMESPACE);
      expect(alarm?.Dimensions).toEqual([{ Name: "service", Value: env.POWERTOOLS_SERVICE_NAME }]);
      expect(alarm?.Statistic).toBe("Sum");
    }
  });

  it("stale answers that hide our own failures alarm at once; Spotify's own do not", () => {
    const env = functionOf(template, "SearchFunction").environment;
    const stale = resourcesOfType(template, "AWS::CloudWatch::Alarm")
      .map(([, a]) => a.Properties ?? {})
      .filter((a) => a.MetricName === "CacheStaleAnswers");
    const reasons = stale.map((alarm) => {
      expect(alarm).toMatchObject({
        Namespace: env.POWERTOOLS_METRICS_NAMESPACE,
        Statistic: "Sum",
        Threshold: 0,
        ComparisonOperator: "GreaterThanThreshold",
        TreatMissingData: "notBreaching",
      });
      const dimensions = alarm.Dimensions as { Name: string; Value: unknown }[];
      expect(dimensions.find((d) => d.Name === "service")?.Value).toBe(env.POWERTOOLS_SERVICE_NAME);
      expect(dimensions.map((d) => d.Name).sort()).toEqual(["reason", "service"]);
      return dimensions.find((d) => d.Name === "reason")?.Value;
    });
    expect(reasons.sort()).toEqual(["credentials-rejected", "secret-unreadable"]);
  });

  it("every alarm notifies AlarmTopicArn when it is given, on alarm and on recovery", () => {
    const notify = {
      "Fn::If": ["HasAlarmTopic", [{ Ref: "AlarmTopicArn" }], { Ref: "AWS::NoValue" }],
    };
    for (const [id, alarm] of resourcesOfType(template, "AWS::CloudWatch::Alarm")) {
      expect(alarm.Properties?.AlarmActions, id).toEqual(notify);
      expect(alarm.Properties?.OKActions, id).toEqual(notify);
    }
  });

  it("outputs the search URL of either front door and the resources an operator needs", () => {
    const outputs = template.Outputs as Record<string, { Value: unknown; Condition?: string }>;
    expect(outputs.SearchUrl?.Value).toEqual({
      "Fn::If": [
        "UseHttpApi",
        { "Fn::Sub": "https://${SearchApi}.execute-api.${AWS::Region}.${AWS::URLSuffix}/search" },
        { "Fn::Sub": "${SearchFunctionUrl.FunctionUrl}search" },
      ],
    });
    // Outputs of one front door exist only with it.
    expect(outputs.ApiId?.Condition).toBe("UseHttpApi");
    expect(outputs.ApiEndpoint?.Condition).toBe("UseHttpApi");
    expect(outputs.FunctionUrl?.Condition).toBe("UseFunctionUrl");
    for (const name of [
      "SearchFunctionName",
      "SearchFunctionArn",
      "ScheduledFunctionName",
      "ScheduledFunctionArn",
      "ResultsBucketName",
      "SecretArn",
    ]) {
      expect(outputs[name], name).toBeDefined();
    }
  });
});

/** The parameter sets cfn-lint checks the template under, besides the defaults. */
const LINT_VARIANTS: Record<string, Record<string, string>> = {
  defaults: {},
  "AuthMode NONE": { AuthMode: "NONE" },
  "AuthMode JWT": { AuthMode: "JWT", JwtIssuer: "https://issuer.example.com", JwtAudience: "a,b" },
  "existing secret with a KMS key": {
    ExistingSecretArn: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:spotify-AbCdEf",
    ExistingSecretKmsKeyArn: "arn:aws:kms:eu-west-1:123456789012:key/0000-1111",
  },
  "search reserved concurrency": { SearchReservedConcurrency: "10" },
  "HTTP API with CORS and a public base URL": {
    CorsAllowOrigins: "https://app.example.com,http://localhost:5173",
    PublicBaseUrl: "https://music.example.com/api",
  },
  "function URL, IAM": { FrontDoor: "FunctionUrl", SearchReservedConcurrency: "10" },
  "function URL, NONE, CORS": {
    FrontDoor: "FunctionUrl",
    AuthMode: "NONE",
    SearchReservedConcurrency: "10",
    CorsAllowOrigins: "*",
  },
};

/** One cfn-lint process checks the template under every parameter file it is given. */
function cfnLint(dir: string): Promise<{ output: string; status: number | null }> {
  const files = Object.values(LINT_VARIANTS).map((parameters, i) => {
    const file = join(dir, `parameters-${i}.json`);
    const list = Object.entries(parameters).map(([key, value]) => ({
      ParameterKey: key,
      ParameterValue: value,
    }));
    writeFileSync(file, JSON.stringify(list));
    return file;
  });
  return new Promise((resolve, reject) => {
    const lint = spawn("cfn-lint", ["template.yaml", "--parameter-files", ...files], {
      cwd: PROJECT_ROOT,
    });
    let output = "";
    lint.stdout.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    lint.stderr.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    lint.once("error", (error) =>
      reject(new Error(`cfn-lint could not run (is it on PATH?): ${error.message}`)),
    );
    lint.once("exit", (status) => resolve({ output, status }));
  });
}

// cfn-lint (a Python process, seconds) runs while the tests above do; the last test waits for it.
const lintDir = mkdtempSync(join(tmpdir(), "cfn-lint-"));
let linted: ReturnType<typeof cfnLint>;
beforeAll(() => {
  linted = cfnLint(lintDir);
  linted.catch(() => undefined); // reported by the test below
});
afterAll(() => rmSync(lintDir, { recursive: true, force: true }));

describe("cfn-lint", () => {
  it.each(Object.entries(LINT_VARIANTS))(
    "%s: the parameters are ones CloudFormation accepts (constraints and Rules)",
    (_name, parameters) => {
      expect(parameterErrors(template, parameters)).toEqual([]);
    },
  );

  it(`accepts template.yaml without errors or warnings (${Object.keys(LINT_VARIANTS).join("; ")})`, async () => {
    const { output, status } = await linted;
    expect(output).toBe("");
    expect(status).toBe(0);
  }, 60_000);
});
