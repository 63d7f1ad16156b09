import type { APIGatewayProxyResult } from "aws-lambda";
import { MethodNotAllowedError, ServiceError } from "../errors.ts";

/** Shape shared by REST (v1) and HTTP API (v2) proxy results. */
export type ApiResult = APIGatewayProxyResult & { headers: Record<string, string> };

/** Every answer: JSON, and browsers must not guess another type from the body. */
const JSON_HEADERS = {
  "content-type": "application/json",
  "x-content-type-options": "nosniff",
} as const;

/** A 200 whose body is Spotify's JSON, passed through byte for byte. */
export function jsonText(status: number, body: string): ApiResult {
  return { statusCode: status, headers: { ...JSON_HEADERS }, body, isBase64Encoded: false };
}

/** The single place errors become answers: Spotify's error shape, no stack, no internals. */
export function errorResponse(error: unknown): ApiResult {
  const known = error instanceof ServiceError;
  const status = known ? error.status : 500;
  const message = known ? error.message : "Internal error";
  const payload: { status: number; message: string; reason?: string } = { status, message };
  // An error is about this moment (a cooldown, an outage): no cache may keep it.
  const headers: Record<string, string> = { ...JSON_HEADERS, "cache-control": "no-store" };
  if (known && error.reason) payload.reason = error.reason;
  if (known && error.retryAfterSeconds !== undefined) {
    headers["retry-after"] = String(error.retryAfterSeconds);
  }
  if (error instanceof MethodNotAllowedError) headers.allow = error.allowed.join(", ");
  return {
    statusCode: status,
    headers,
    body: JSON.stringify({ error: payload }),
    isBase64Encoded: false,
  };
}
