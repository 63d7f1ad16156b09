import type { Reply } from "./types.ts";

export const API_CONTENT_TYPE = "application/json; charset=utf-8";
export const TOKEN_CONTENT_TYPE = "application/json";

export function jsonReply(
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
  contentType = API_CONTENT_TYPE,
): Reply {
  return {
    status,
    headers: { "Content-Type": contentType, ...headers },
    body: JSON.stringify(body),
  };
}

/** Web API error shape: `{"error":{"status":N,"message":"…"}}`. */
export function apiError(status: number, message: string, headers?: Record<string, string>): Reply {
  return jsonReply(status, { error: { status, message } }, headers);
}

/** Flat OAuth error shape used by the accounts service. */
export function oauthError(status: number, error: string, description: string): Reply {
  return jsonReply(status, { error, error_description: description }, {}, TOKEN_CONTENT_TYPE);
}

export const notFound = (): Reply => apiError(404, "Service not found");

export const methodNotAllowed = (allow: string): Reply =>
  apiError(405, "Method not allowed", { Allow: allow });
