import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { parse } from "yaml";
import { isRecord, PROJECT_ROOT } from "../template/template.ts";

/**
 * `/docs` of `npm start`: infra/openapi.yaml rendered by Swagger UI (swagger-ui-dist, served from
 * node_modules: no CDN), its "Try it out" aimed at this server. Only the local stack serves it;
 * the deployed function does not carry it.
 */
export const DOCS_PATH = "/docs";
const SPEC_PATH = `${DOCS_PATH}/openapi.json`;

const SWAGGER_UI_DIR = dirname(
  createRequire(import.meta.url).resolve("swagger-ui-dist/package.json"),
);
const OPENAPI_FILE = resolve(PROJECT_ROOT, "infra/openapi.yaml");

/** The files of swagger-ui-dist the page loads, by their name under /docs/. */
const ASSETS: Record<string, string> = {
  "swagger-ui.css": "text/css; charset=utf-8",
  "swagger-ui-bundle.js": "text/javascript; charset=utf-8",
  "favicon-32x32.png": "image/png",
};

const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Spotify catalogue search: API reference (npm start)</title>
<link rel="stylesheet" href="${DOCS_PATH}/swagger-ui.css">
<link rel="icon" type="image/png" href="${DOCS_PATH}/favicon-32x32.png">
</head>
<body>
<div id="swagger-ui"></div>
<script src="${DOCS_PATH}/swagger-ui-bundle.js"></script>
<script src="${DOCS_PATH}/init.js"></script>
</body>
</html>
`;

// validatorUrl null: Swagger UI would otherwise fetch a badge from validator.swagger.io.
const INIT = `window.ui = SwaggerUIBundle({
  url: ${JSON.stringify(SPEC_PATH)},
  dom_id: "#swagger-ui",
  validatorUrl: null,
  displayRequestDuration: true,
});
`;

/** Same-origin scripts only; Swagger UI sets inline styles and shows data: images. */
const CONTENT_SECURITY_POLICY =
  "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

export interface DocsAnswer {
  statusCode: number;
  headers: Record<string, string>;
  body: string | Buffer;
}

export interface DocsOptions {
  /** The origin "Try it out" calls, e.g. `http://127.0.0.1:3000`. */
  origin: string;
  /** The running function's SPOTIFY_MAX_LIMIT: the `limit` maximum the page offers. */
  maxLimit: number;
}

/** The answer for `/docs` and the files under it, or undefined for any other path. */
export function docsAnswer(
  method: string,
  path: string,
  options: DocsOptions,
): DocsAnswer | undefined {
  if (path !== DOCS_PATH && !path.startsWith(`${DOCS_PATH}/`)) return undefined;
  if (method !== "GET" && method !== "HEAD") {
    return text(405, "text/plain; charset=utf-8", "Method Not Allowed\n", { allow: "GET, HEAD" });
  }
  const name = path.slice(DOCS_PATH.length + 1);
  if (path === DOCS_PATH || name === "" || name === "index.html") {
    return text(200, "text/html; charset=utf-8", PAGE, {
      "content-security-policy": CONTENT_SECURITY_POLICY,
    });
  }
  if (path === SPEC_PATH) {
    return text(200, "application/json", JSON.stringify(localSpec(options)));
  }
  if (name === "init.js") return text(200, "text/javascript; charset=utf-8", INIT);
  const type = ASSETS[name];
  if (type === undefined) return text(404, "text/plain; charset=utf-8", "Not Found\n");
  return text(200, type, readFileSync(join(SWAGGER_UI_DIR, name)));
}

/**
 * infra/openapi.yaml as this server offers it: its only server is `origin`, and `limit`'s maximum
 * and default are the running function's SPOTIFY_MAX_LIMIT.
 */
export function localSpec(options: DocsOptions): Record<string, unknown> {
  // Read on every request, so an edit of the spec shows on reload.
  const spec = parse(readFileSync(OPENAPI_FILE, "utf8")) as Record<string, unknown>;
  spec.servers = [{ url: options.origin, description: "This npm start" }];
  const at = (node: unknown, key: string) => (isRecord(node) ? node[key] : undefined);
  const inline = at(at(at(spec.paths, "/search"), "get"), "parameters");
  const shared = at(spec.components, "parameters");
  // The parameter is inline in the operation, or a component it refers to.
  const parameters = [
    ...(Array.isArray(inline) ? inline : []),
    ...(isRecord(shared) ? Object.values(shared) : []),
  ];
  for (const parameter of parameters) {
    if (!isRecord(parameter) || parameter.name !== "limit" || !isRecord(parameter.schema)) continue;
    // Without a limit the service asks for SPOTIFY_MAX_LIMIT items: that is the default too.
    parameter.schema.maximum = options.maxLimit;
    parameter.schema.default = options.maxLimit;
  }
  return spec;
}

function text(
  statusCode: number,
  type: string,
  body: string | Buffer,
  extra: Record<string, string> = {},
): DocsAnswer {
  return {
    statusCode,
    headers: {
      "content-type": type,
      "cache-control": "no-cache",
      "x-content-type-options": "nosniff",
      ...extra,
    },
    body,
  };
}
