// biome-ignore-all lint/suspicious/noTemplateCurlyInString: CloudFormation ${} substitutions, not JS.
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
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

type Node = Record<string, unknown>;

const doc = parse(readFileSync(resolve(PROJECT_ROOT, "infra/openapi.yaml"), "utf8")) as Node;

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
    expect(schemaOf("limit")).toMatchObject({
      type: "integer",
      minimum: 0,
      maximum: MAX_LIMIT_CEILING,
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

  it("429 carries Retry-After and 405 carries Allow", () => {
    expect(deref(deref(responses["429"]).headers)["Retry-After"]).toBeDefined();
    expect(deref(deref(responses["405"]).headers).Allow).toBeDefined();
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

  it("the server URL is the stack's SearchUrl output without /search", () => {
    const outputs = loadTemplate().Outputs as Record<string, { Value: { "Fn::Sub": string } }>;
    const searchUrl = outputs.SearchUrl?.Value["Fn::Sub"] ?? "";
    const server = (doc.servers as Node[])[0]?.url;
    const fromTemplate = searchUrl
      .replace("${SearchApi}", "{apiId}")
      .replace("${AWS::Region}", "{region}")
      .replace("${AWS::URLSuffix}", "amazonaws.com");
    expect(`${server}/search`).toBe(fromTemplate);
  });

  it("security schemes match the ones the template's API can enable", () => {
    const body = JSON.stringify(loadTemplate().Resources.SearchApi?.Properties?.DefinitionBody);
    const schemes = Object.keys(deref(deref(doc.components).securitySchemes));
    expect(schemes.sort()).toEqual(["jwt", "sigv4"]);
    for (const name of schemes) expect(body).toContain(`{"${name}":[]}`);
  });
});
