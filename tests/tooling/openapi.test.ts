// biome-ignore-all lint/suspicious/noTemplateCurlyInString: CloudFormation ${} substitutions, not JS.
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { CreateSecretCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { lambdaContext } from "../../infra/local/lambda-context.ts";
import { type LocalStack, startLocalStack } from "../../infra/local/stack.ts";
import { functionEnvironment } from "../../infra/template/function-environment.ts";
import {
  contractForDeployment,
  limitSchema,
  loadOpenApi,
} from "../../infra/template/openapi-document.ts";
import { isRecord, loadTemplate, PROJECT_ROOT } from "../../infra/template/template.ts";
import {
  DEFAULT_MAX_LIMIT,
  INCLUDE_EXTERNAL_VALUES,
  MARKET_PATTERN,
  MAX_LIMIT_CEILING,
  MAX_OFFSET,
  MAX_QUERY_LENGTH,
  MAX_QUERY_PARAMETERS,
  SEARCH_PARAMETERS,
  SEARCH_TYPES,
} from "../../lib/search/search-rules.ts";
import { httpApiEvent, restApiEvent } from "../support/events.ts";
import { FakeClock } from "../support/fake-clock.ts";
import { handlerWithClock } from "../support/runtime.ts";
import type { TestStack } from "../support/stack.ts";

type Node = Record<string, unknown>;

const doc = loadOpenApi() as Node;
const template = loadTemplate();

/** Follows local `$ref`s (`#/components/...`) until a non-reference node. */
function deref(node: unknown): Node {
  let current = node;
  for (let hops = 0; isRecord(current) && typeof current.$ref === "string"; hops++) {
    if (hops > 10) throw new Error("$ref cycle");
    const path = current.$ref.replace(/^#\//, "").split("/");
    current = path.reduce<unknown>((at, key) => (isRecord(at) ? at[key] : undefined), doc);
    if (current === undefined) throw new Error(`unresolved ${String((node as Node).$ref)}`);
  }
  if (!isRecord(current)) throw new Error(`not an object: ${JSON.stringify(node)}`);
  return current;
}

function allRefs(node: unknown): string[] {
  if (Array.isArray(node)) return node.flatMap(allRefs);
  if (!isRecord(node)) return [];
  const own = typeof node.$ref === "string" ? [node.$ref] : [];
  return [...own, ...Object.values(node).flatMap(allRefs)];
}

const operation = deref(deref(deref(doc.paths)["/search"]).get);
const parameters = (operation.parameters as unknown[]).map(deref);
const param = (name: string): Node => {
  const found = parameters.find((p) => p.name === name);
  if (!found) throw new Error(`no parameter ${name}`);
  return found;
};
const schemaOf = (name: string): Node => deref(param(name).schema);
const responses = operation.responses as Record<string, unknown>;
const ERROR_REF = "#/components/schemas/Error";

/** Whether a response's JSON body is (or may be) the service's error shape. */
function describesServiceError(status: string): boolean {
  const response = deref(responses[status]);
  const schema = (deref(response.content) as Record<string, Node>)["application/json"]?.schema;
  if (!isRecord(schema)) return false;
  if (schema.$ref === ERROR_REF) return true;
  const resolved = deref(schema);
  return (
    Array.isArray(resolved.oneOf) && resolved.oneOf.some((s) => isRecord(s) && s.$ref === ERROR_REF)
  );
}

describe("infra/openapi.yaml", () => {
  it("is OpenAPI 3 and every $ref resolves", () => {
    expect(String(doc.openapi)).toMatch(/^3\.[01]\./);
    for (const ref of allRefs(doc)) expect(() => deref({ $ref: ref }), ref).not.toThrow();
  });

  it("declares exactly the query parameters the service accepts", () => {
    expect(new Set(parameters.map((p) => p.name))).toEqual(new Set(SEARCH_PARAMETERS));
    expect(parameters).toHaveLength(SEARCH_PARAMETERS.length);
    for (const p of parameters) expect(p.in, String(p.name)).toBe("query");
  });

  it("marks q and type required, the rest optional", () => {
    for (const p of parameters) {
      expect(p.required === true, String(p.name)).toBe(p.name === "q" || p.name === "type");
    }
    expect(schemaOf("q")).toMatchObject({
      type: "string",
      minLength: 1,
      maxLength: MAX_QUERY_LENGTH,
    });
    expect(String(param("q").description)).toContain(`${MAX_QUERY_PARAMETERS} query parameters`);
  });

  it("type is a comma-separated list of SEARCH_TYPES", () => {
    expect(param("type")).toMatchObject({ style: "form", explode: false });
    const schema = schemaOf("type");
    expect(schema.type).toBe("array");
    expect(schema.minItems).toBe(1);
    const items = deref(schema.items);
    expect([...(items.enum as string[])].sort()).toEqual([...SEARCH_TYPES].sort());
  });

  it("market, limit, offset and include_external follow lib/search/search-rules.ts", () => {
    expect(schemaOf("market")).toMatchObject({ type: "string", pattern: MARKET_PATTERN.source });
    // The document is the template's default deployment; see "limit follows the deployment".
    expect(schemaOf("limit")).toMatchObject({
      type: "integer",
      minimum: 0,
      maximum: DEFAULT_MAX_LIMIT,
      default: DEFAULT_MAX_LIMIT,
    });
    expect(String(param("limit").description)).toContain("SPOTIFY_MAX_LIMIT");
    expect(schemaOf("offset")).toMatchObject({ type: "integer", minimum: 0, maximum: MAX_OFFSET });
    expect(String(param("offset").description)).toContain(
      `offset + limit\` must be at most ${MAX_OFFSET}`,
    );
    expect(schemaOf("include_external").enum).toEqual([...INCLUDE_EXTERNAL_VALUES]);
  });

  it("describes every status the service can answer with the error shape", () => {
    for (const status of ["400", "401", "403", "404", "405", "429", "500", "502", "503", "504"]) {
      expect(responses[status], status).toBeDefined();
      expect(describesServiceError(status), status).toBe(true);
    }
    expect(describesServiceError("default")).toBe(true);
  });

  it("the error shape is Spotify's {error:{status,message,reason?}}", () => {
    const error = deref(deref(deref(doc.components).schemas).Error);
    const inner = deref(deref(error.properties).error);
    expect(error.required).toEqual(["error"]);
    expect(inner.required).toEqual(["status", "message"]);
    expect(deref(inner.properties)).toMatchObject({
      status: { type: "integer" },
      message: { type: "string" },
      reason: { type: "string" },
    });
  });

  it("429 and 503 carry Retry-After, 405 requires Allow, and 200 its cache headers", () => {
    expect(deref(deref(responses["429"]).headers)["Retry-After"]).toBeDefined();
    expect(deref(deref(responses["503"]).headers)["Retry-After"]).toBeDefined();
    expect(deref(deref(deref(responses["405"]).headers).Allow)).toMatchObject({ required: true });
    const ok = deref(deref(responses["200"]).headers);
    for (const name of ["Cache-Control", "Cache-Status", "X-Content-Type-Options"]) {
      expect(deref(ok[name]), name).toMatchObject({ required: true });
    }
    expect(deref(ok.Age).required).toBeUndefined(); // only on answers from the cache
  });

  it("200 is Spotify's search body: a paging object per type", () => {
    const content = deref(deref(responses["200"]).content) as Record<string, Node>;
    const body = deref(content["application/json"]?.schema);
    const properties = deref(body.properties);
    const plural = SEARCH_TYPES.map((t) => `${t}s`).sort();
    expect(Object.keys(properties).sort()).toEqual(plural);
    for (const key of plural) {
      const paging = deref(properties[key]);
      expect(paging.required).toEqual([
        "href",
        "items",
        "limit",
        "next",
        "offset",
        "previous",
        "total",
      ]);
    }
  });

  it("the servers are the stack's SearchUrl output for each front door, without /search", () => {
    const outputs = template.Outputs as Record<string, { Value: { "Fn::If": unknown[] } }>;
    const [condition, httpApi, functionUrl] = outputs.SearchUrl?.Value["Fn::If"] ?? [];
    expect(condition).toBe("UseHttpApi");
    const servers = (doc.servers as Node[]).map((server) => String(server.url));
    const sub = (value: unknown) => String((value as { "Fn::Sub": string })["Fn::Sub"]);
    expect(`${servers[0]}/search`).toBe(
      sub(httpApi)
        .replace("${SearchApi}", "{apiId}")
        .replace("${AWS::Region}", "{region}")
        .replace("${AWS::URLSuffix}", "amazonaws.com"),
    );
    // A function URL is https://<url-id>.lambda-url.<region>.on.aws/ (trailing slash included).
    expect(sub(functionUrl)).toBe("${SearchFunctionUrl.FunctionUrl}search");
    expect(`${servers[1]}/`).toMatch(/^https:\/\/\{urlId\}\.lambda-url\.\{region\}\.on\.aws\/$/);
  });

  it("the template's inline OpenAPI body only routes: no second contract to drift from this one", () => {
    const body = template.Resources.SearchApi?.Properties?.DefinitionBody as Node;
    const get = deref(deref(deref(body.paths)["/search"]).get);
    expect(get.parameters).toBeUndefined();
    expect(get.responses).toEqual({});
  });

  it("every header CORS exposes to a page is one the document describes", () => {
    const body = template.Resources.SearchApi?.Properties?.DefinitionBody as Node;
    const cors = (body["x-amazon-apigateway-cors"] as { "Fn::If": [string, Node, unknown] })[
      "Fn::If"
    ][1];
    const documented = new Set(
      Object.values(responses)
        .flatMap((response) => Object.keys(deref(deref(response).headers ?? {})))
        .map((name) => name.toLowerCase()),
    );
    const exposed = cors.exposeHeaders as string[];
    expect(exposed.length).toBeGreaterThan(0);
    for (const name of exposed) expect(documented, name).toContain(name.toLowerCase());
  });

  it("security schemes match the ones the template's API can enable", () => {
    const body = JSON.stringify(template.Resources.SearchApi?.Properties?.DefinitionBody);
    const schemes = Object.keys(deref(deref(doc.components).securitySchemes));
    expect(schemes.sort()).toEqual(["jwt", "sigv4"]);
    for (const name of schemes) expect(body).toContain(`{"${name}":[]}`);
  });
});

describe("limit follows the deployment", () => {
  const maxLimitParameter = template.Parameters?.SpotifyMaxLimit;

  it("the document's maximum is the template's default SpotifyMaxLimit, the code's default", () => {
    expect(String(maxLimitParameter?.Default)).toBe(String(DEFAULT_MAX_LIMIT));
    expect(limitSchema(doc).maximum).toBe(Number(maxLimitParameter?.Default));
    expect(maxLimitParameter?.MaxValue).toBe(MAX_LIMIT_CEILING);
  });

  it.each([1, 10, 37, MAX_LIMIT_CEILING])(
    "SpotifyMaxLimit=%i: the deployment's contract has that maximum and default",
    (limit) => {
      const contract = contractForDeployment(template, { SpotifyMaxLimit: String(limit) });
      expect(limitSchema(contract)).toMatchObject({ maximum: limit, default: limit });
      expect(limitSchema(doc).maximum).toBe(DEFAULT_MAX_LIMIT); // the file itself is untouched
    },
  );

  it("every samconfig.toml environment's contract has its SpotifyMaxLimit", () => {
    const samconfig = readFileSync(resolve(PROJECT_ROOT, "infra/deploy/samconfig.toml"), "utf8");
    const overrides = [...samconfig.matchAll(/^parameter_overrides = "(.*)"$/gm)].map((m) =>
      Object.fromEntries(
        [...(m[1] ?? "").matchAll(/(\w+)=\\"([^\\]*)\\"/g)].map((p) => [p[1], p[2]]),
      ),
    );
    expect(overrides.length).toBeGreaterThan(0);
    for (const values of overrides) {
      const limit = Number(values.SpotifyMaxLimit ?? maxLimitParameter?.Default);
      expect(limitSchema(contractForDeployment(template, values)).maximum).toBe(limit);
    }
  });

  it("the contract names the deployment's server and security", () => {
    const functionUrl = contractForDeployment(template, {
      FrontDoor: "FunctionUrl",
      AuthMode: "NONE",
      SearchReservedConcurrency: "5",
    });
    expect((functionUrl.servers as Node[]).map((s) => s.url)).toEqual([
      (doc.servers as Node[])[1]?.url,
    ]);
    expect(functionUrl.security).toEqual([{}]);
    const custom = contractForDeployment(template, {
      PublicBaseUrl: "https://music.example.com/api",
    });
    expect((custom.servers as Node[]).map((s) => s.url)).toEqual(["https://music.example.com/api"]);
    expect(custom.security).toEqual([{ sigv4: [] }]);
    expect(() => contractForDeployment(template, { FrontDoor: "FunctionUrl" })).toThrow(
      /SearchReservedConcurrency/,
    );
  });
});

/** One answer of the real search handler, and what it was meant to exercise. */
interface Answer {
  kind: string;
  statusCode: number;
  headers: Record<string, string>;
  multiValueHeaders?: Record<string, unknown>;
}

/** The documented response for `status` (its own, else `default`). */
function documentedResponse(status: number): Node {
  return deref(responses[String(status)] ?? responses.default);
}

/**
 * What `answer` sends that its documented response does not describe, and what the response
 * requires that `answer` lacks. Header names are case-insensitive (RFC 9110 §5.1); Content-Type is
 * the media type of the response's `content` (OpenAPI ignores a header of that name).
 */
function contractGaps(answer: Answer): string[] {
  const response = documentedResponse(answer.statusCode);
  const documented = new Map(
    Object.entries(deref(response.headers ?? {})).map(([name, header]) => [
      name.toLowerCase(),
      deref(header),
    ]),
  );
  const values = new Map(
    Object.entries(answer.headers).map(([name, value]) => [name.toLowerCase(), value]),
  );
  const sent = [...values.keys(), ...Object.keys(answer.multiValueHeaders ?? {})].map((name) =>
    name.toLowerCase(),
  );
  const gaps: string[] = [];
  for (const name of new Set(sent)) {
    if (name === "content-type") {
      const type =
        String(values.get(name) ?? "")
          .split(";")[0]
          ?.trim() ?? "";
      const media = Object.keys(deref(response.content ?? {}));
      if (!media.includes(type)) gaps.push(`Content-Type ${type} is not one of ${media}`);
    } else if (!documented.has(name)) {
      gaps.push(`${name} is sent but not documented`);
    }
  }
  for (const [name, header] of documented) {
    if (header.required === true && !sent.includes(name)) {
      gaps.push(`${name} is required but not sent`);
    }
  }
  return gaps.map((gap) => `${answer.kind} (${answer.statusCode}): ${gap}`);
}

describe("contractGaps", () => {
  it("names an undocumented header, a missing required one and a wrong media type", () => {
    expect(
      contractGaps({
        kind: "made up",
        statusCode: 405,
        headers: {
          "Content-Type": "text/html",
          "X-Content-Type-Options": "nosniff",
          "cache-control": "no-store",
          "X-Made-Up": "1",
        },
      }),
    ).toEqual([
      "made up (405): Content-Type text/html is not one of application/json",
      "made up (405): x-made-up is sent but not documented",
      "made up (405): allow is required but not sent",
    ]);
  });
});

describe("every header the search handler sends is documented for its status", () => {
  let stack: LocalStack;
  const answers: Answer[] = [];

  beforeAll(async () => {
    stack = await startLocalStack();
    const secrets = new SecretsManagerClient({
      endpoint: stack.moto.endpoint,
      region: "us-east-1",
      credentials: { accessKeyId: "local", secretAccessKey: "local" },
    });
    await secrets.send(
      new CreateSecretCommand({ Name: "openapi/unusable", SecretString: "not json" }),
    );
    secrets.destroy();
    answers.push(...(await answerKinds(stack)));
  }, 60_000);
  afterAll(() => stack?.stop());

  it("the handler was driven through every answer kind", () => {
    const statusOf = (kind: string) => answers.find((a) => a.kind === kind)?.statusCode;
    expect(answers.map((a) => a.kind)).toEqual(ANSWER_KINDS);
    for (const kind of ["miss", "hit", "stale", "bypass", "REST v1 miss", "with Authorization"]) {
      expect(statusOf(kind), kind).toBe(200);
    }
    const cacheStatus = (kind: string) =>
      answers.find((a) => a.kind === kind)?.headers["cache-status"] ?? "";
    expect(cacheStatus("miss")).toContain("fwd=uri-miss");
    expect(cacheStatus("hit")).toMatch(/; hit/);
    expect(cacheStatus("stale")).toMatch(/fwd=stale|; hit; ttl=-/);
    expect(cacheStatus("bypass")).toContain("fwd=bypass");
    expect(statusOf("missing q")).toBe(400);
    expect(statusOf("other path")).toBe(404);
    expect(statusOf("POST")).toBe(405);
    expect(statusOf("Spotify 429 longer than the wait")).toBe(429);
    expect(statusOf("Spotify 5xx, nothing cached")).toBe(502);
    expect(statusOf("Spotify silent, nothing cached")).toBe(504);
    expect(statusOf("Spotify 403 passed through")).toBe(403);
    expect(statusOf("unusable secret")).toBeGreaterThanOrEqual(500);
  });

  it("sends only documented headers, and every required one", () => {
    expect(answers.flatMap(contractGaps)).toEqual([]);
  });
});

const ANSWER_KINDS = [
  "miss",
  "hit",
  "REST v1 miss",
  "with Authorization",
  "missing q",
  "other path",
  "POST",
  "Spotify 403 passed through",
  "Spotify 5xx, nothing cached",
  "Spotify silent, nothing cached",
  "Spotify 429 longer than the wait",
  "stale",
  "bypass",
  "unusable secret",
];

/**
 * The real search handler with the template's environment (pointed at the local stack), driven
 * through each kind of answer in ANSWER_KINDS order. Tier 1 only: the shared tier's client follows
 * the process's AWS_ENDPOINT_URL, which this shared worker does not set; the headers are the same.
 */
async function answerKinds(stack: LocalStack): Promise<Answer[]> {
  const emulator = stack.emulator;
  if (!emulator) throw new Error("the local stack has no emulator");
  const clock = new FakeClock();
  const environment = (overrides: Record<string, string> = {}) =>
    functionEnvironment(template, "SearchFunction", {
      resources: stack.resources,
      overrides: { ...stack.env, CACHE_TABLE_NAME: "", UPSTREAM_TIMEOUT_MS: "300", ...overrides },
    });
  const build = (env: Record<string, string>) =>
    handlerWithClock({ aws: { endpoint: stack.moto.endpoint }, env } as unknown as TestStack, clock)
      .handler;
  const handler = build(environment());
  const ask = (event: unknown, on = handler) =>
    on(event as never, lambdaContext(29_000, clock.now));
  const answers: Answer[] = [];
  const record = async (kind: string, answer: Promise<Omit<Answer, "kind">>) => {
    answers.push({ ...(await answer), kind });
  };
  const withAuthorization = httpApiEvent("q=openapi%20auth&type=artist");
  withAuthorization.headers = { ...withAuthorization.headers, authorization: "Bearer opaque" };

  await record("miss", ask(httpApiEvent("q=openapi%20miss&type=artist")));
  await record("hit", ask(httpApiEvent("q=openapi%20miss&type=artist")));
  await record("REST v1 miss", ask(restApiEvent({ q: ["openapi rest"], type: ["album"] })));
  await record("with Authorization", ask(withAuthorization));
  await record("missing q", ask(httpApiEvent("type=artist")));
  await record("other path", ask(httpApiEvent("q=x&type=artist", "GET", "/nothing")));
  await record("POST", ask(httpApiEvent("q=x&type=artist", "POST")));
  emulator.fault("search", { kind: "status", status: 403, body: FORBIDDEN }, 1);
  await record("Spotify 403 passed through", ask(httpApiEvent("q=openapi%20403&type=track")));
  emulator.fault("search", { kind: "status", status: 503 }, Number.POSITIVE_INFINITY);
  await record("Spotify 5xx, nothing cached", ask(httpApiEvent("q=openapi%20502&type=track")));
  emulator.clearFaults();
  emulator.fault("search", { kind: "hang" }, Number.POSITIVE_INFINITY);
  await record("Spotify silent, nothing cached", ask(httpApiEvent("q=openapi%20504&type=track")));
  emulator.clearFaults();
  emulator.fault("search", { kind: "rate-limit", retryAfter: "30" }, 1);
  await record("Spotify 429 longer than the wait", ask(httpApiEvent("q=openapi%20429&type=track")));
  // Past the 429's window and the first entries' freshness, inside their stale window.
  const ttlSeconds = Number(environment().CACHE_TTL_SECONDS);
  clock.advance((ttlSeconds + 60) * 1000);
  emulator.fault("search", { kind: "status", status: 503 }, Number.POSITIVE_INFINITY);
  await record("stale", ask(httpApiEvent("q=openapi%20miss&type=artist")));
  emulator.clearFaults();
  const uncached = build(environment({ CACHE_TTL_SECONDS: "0" }));
  await record("bypass", ask(httpApiEvent("q=openapi%20bypass&type=artist"), uncached));
  const unusable = build(environment({ SPOTIFY_SECRET_ID: "openapi/unusable" }));
  await record("unusable secret", ask(httpApiEvent("q=openapi%20secret&type=artist"), unusable));
  return answers;
}

const FORBIDDEN = { error: { status: 403, message: "Forbidden" } };
