/**
 * The API contract for one deployment: infra/openapi.yaml with the `limit` maximum and default of
 * its SpotifyMaxLimit, its front door's server and its AuthMode's security scheme. The file
 * describes the template's default deployment; this gives every other one.
 *
 *   npx tsx infra/template/openapi-document.ts SpotifyMaxLimit=50 FrontDoor=FunctionUrl > openapi.json
 */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { parse } from "yaml";
import { type ParameterValues, parameterErrors, parseOverrides } from "./deployment.ts";
import { NO_VALUE, TemplateResolver } from "./resolver.ts";
import { type CfnTemplate, functionOf, isRecord, loadTemplate, PROJECT_ROOT } from "./template.ts";

export const OPENAPI_PATH = resolve(PROJECT_ROOT, "infra/openapi.yaml");

export type OpenApiDocument = Record<string, unknown>;

/** infra/openapi.yaml as plain objects. */
export function loadOpenApi(path: string = OPENAPI_PATH): OpenApiDocument {
  const doc: unknown = parse(readFileSync(path, "utf8"));
  if (!isRecord(doc)) throw new Error(`${path} is not an OpenAPI document`);
  return doc;
}

export interface ContractSettings {
  /** The deployment's SPOTIFY_MAX_LIMIT: `limit`'s maximum, and its default when omitted. */
  maxLimit: number;
  /** Which server of the document the deployment is reached through (its index), or its own URL. */
  server?: number | string;
  /** Keep only this security requirement (`{}` for none). */
  security?: "NONE" | "IAM" | "JWT";
}

const SECURITY: Record<NonNullable<ContractSettings["security"]>, Record<string, string[]>> = {
  NONE: {},
  IAM: { sigv4: [] },
  JWT: { jwt: [] },
};

/** A copy of `doc` set to one deployment's values. */
export function contractFor(doc: OpenApiDocument, settings: ContractSettings): OpenApiDocument {
  const contract = structuredClone(doc);
  const limit = limitSchema(contract);
  limit.maximum = settings.maxLimit;
  limit.default = settings.maxLimit;
  const servers = Array.isArray(contract.servers) ? contract.servers : [];
  if (typeof settings.server === "number") {
    const chosen = servers[settings.server];
    if (chosen === undefined) throw new Error(`the document has no server ${settings.server}`);
    contract.servers = [chosen];
  } else if (typeof settings.server === "string") {
    contract.servers = [{ url: settings.server, description: "The deployment's PublicBaseUrl." }];
  }
  if (settings.security) contract.security = [SECURITY[settings.security]];
  return contract;
}

/** The contract of the stack template.yaml deploys with `values` (as `--parameter-overrides`). */
export function contractForDeployment(
  template: CfnTemplate,
  values: ParameterValues = {},
  doc: OpenApiDocument = loadOpenApi(),
): OpenApiDocument {
  const errors = parameterErrors(template, values);
  if (errors.length > 0) throw new Error(errors.join("\n"));
  const resolver = new TemplateResolver(template, { parameters: values });
  const environment = functionOf(template, "SearchFunction").environment;
  const maxLimit = resolver.value(environment.SPOTIFY_MAX_LIMIT);
  const publicBase = resolver.value(environment.PUBLIC_BASE_URL);
  const authMode = resolver.parameter("AuthMode");
  if (authMode !== "NONE" && authMode !== "IAM" && authMode !== "JWT") {
    throw new Error(`unknown AuthMode ${authMode}`);
  }
  return contractFor(doc, {
    maxLimit: Number(maxLimit),
    server:
      publicBase !== NO_VALUE && publicBase !== ""
        ? publicBase
        : resolver.condition("UseHttpApi")
          ? 0
          : 1,
    security: authMode,
  });
}

/** The `limit` parameter's schema, found by name (throws if the document has none). */
export function limitSchema(doc: OpenApiDocument): Record<string, unknown> {
  const paths = isRecord(doc.paths) ? doc.paths : {};
  const search = isRecord(paths["/search"]) ? paths["/search"] : {};
  const get = isRecord(search.get) ? search.get : {};
  const parameters = Array.isArray(get.parameters) ? get.parameters : [];
  const limit = parameters.find((p) => isRecord(p) && p.name === "limit");
  if (!isRecord(limit) || !isRecord(limit.schema)) throw new Error("no limit parameter");
  return limit.schema;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  try {
    const contract = contractForDeployment(loadTemplate(), parseOverrides(process.argv.slice(2)));
    process.stdout.write(`${JSON.stringify(contract, null, 2)}\n`);
  } catch (error) {
    console.error((error as Error).message);
    process.exitCode = 1;
  }
}
