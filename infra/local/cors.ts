/**
 * CORS for `npm start`, as an HTTP API's `CorsConfiguration` gives it: API Gateway answers
 * preflights itself (the function never sees them) and adds the configured headers to the
 * function's answers, ignoring any CORS headers the function set.
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-cors.html
 */

export interface CorsConfig {
  /** Exact origins, `*` (any), or a scheme wildcard such as `https://*`. */
  allowOrigins: readonly string[];
  allowMethods: readonly string[];
  allowHeaders: readonly string[];
  exposeHeaders: readonly string[];
  maxAgeSeconds: number;
}

/**
 * What the search API allows besides its origins, as template.yaml's CORS configuration (both
 * front doors) has it: GET; `Authorization` (a JWT, or a SigV4 signature with its `x-amz-*`
 * headers); the cache's headers and `Retry-After` readable by the page.
 */
export const SEARCH_CORS: Omit<CorsConfig, "allowOrigins"> = {
  allowMethods: ["GET"],
  allowHeaders: ["authorization", "x-amz-date", "x-amz-security-token", "x-amz-content-sha256"],
  exposeHeaders: ["cache-status", "age", "retry-after"],
  maxAgeSeconds: 600,
};

/** `CORS_ALLOW_ORIGINS` (comma-separated) as a configuration; none when it is empty or unset. */
export function corsFromEnv(value: string | undefined): CorsConfig | undefined {
  const allowOrigins = (value ?? "")
    .split(",")
    .map((origin) => origin.trim())
    .filter((origin) => origin !== "");
  return allowOrigins.length > 0 ? { ...SEARCH_CORS, allowOrigins } : undefined;
}

/** The `Access-Control-Allow-Origin` value for `origin`, or undefined when it is not allowed. */
export function allowedOrigin(config: CorsConfig, origin: string | undefined): string | undefined {
  if (!origin) return undefined;
  const given = origin.toLowerCase();
  for (const allowed of config.allowOrigins) {
    if (allowed === "*") return "*";
    const pattern = allowed.toLowerCase();
    if (pattern.endsWith("://*") ? given.startsWith(pattern.slice(0, -1)) : given === pattern) {
      return origin;
    }
  }
  return undefined;
}

type Headers = Readonly<Record<string, string | string[] | undefined>>;

const header = (headers: Headers, name: string): string | undefined => {
  const value = headers[name];
  return Array.isArray(value) ? value.join(",") : value;
};

/**
 * The answer to a preflight (OPTIONS with `Origin` and `Access-Control-Request-Method`), or
 * undefined when the request is none and goes on to the function. A preflight from an origin not
 * allowed gets the same 204 without any `Access-Control-*` header, so the browser blocks it.
 */
export function preflightAnswer(
  config: CorsConfig,
  method: string,
  requestHeaders: Headers,
): { statusCode: number; headers: Record<string, string> } | undefined {
  const origin = header(requestHeaders, "origin");
  if (method !== "OPTIONS" || !origin || !header(requestHeaders, "access-control-request-method")) {
    return undefined;
  }
  const allowed = allowedOrigin(config, origin);
  if (allowed === undefined) return { statusCode: 204, headers: {} };
  return {
    statusCode: 204,
    headers: {
      "access-control-allow-origin": allowed,
      "access-control-allow-methods": config.allowMethods.join(","),
      "access-control-allow-headers": config.allowHeaders.join(","),
      "access-control-max-age": String(config.maxAgeSeconds),
      ...(allowed === "*" ? {} : { vary: "origin" }),
    },
  };
}

/**
 * The function's response headers as API Gateway passes them on: its own `Access-Control-*`
 * dropped, and for an allowed `Origin` the allowed origin and the exposed headers added.
 */
export function withCorsHeaders(
  config: CorsConfig,
  requestHeaders: Headers,
  responseHeaders: Readonly<Record<string, string>>,
): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(responseHeaders)) {
    if (!name.toLowerCase().startsWith("access-control-")) headers[name] = value;
  }
  const allowed = allowedOrigin(config, header(requestHeaders, "origin"));
  if (allowed === undefined) return headers;
  headers["access-control-allow-origin"] = allowed;
  headers["access-control-expose-headers"] = config.exposeHeaders.join(",");
  if (allowed !== "*") {
    const vary = Object.entries(headers).find(([name]) => name.toLowerCase() === "vary");
    if (vary) headers[vary[0]] = `${vary[1]}, origin`;
    else headers.vary = "origin";
  }
  return headers;
}
