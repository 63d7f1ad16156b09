import { ServiceError } from "../errors.ts";
import type { Log, MetricsSink } from "../observability/types.ts";
import { type ApiResult, errorResponse } from "./api-response.ts";

/** Turns an error into the caller's answer, logging and counting it once. */
export function answerError(error: unknown, log: Log, metrics: MetricsSink): ApiResult {
  const response = errorResponse(error);
  const details = { status: response.statusCode, error: describe(error) };
  if (response.statusCode === 429) metrics.count("ThrottledAnswers");
  if (response.statusCode >= 500) log.error("Search failed", details);
  else log.info("Search refused", details);
  return response;
}

/** Our own messages are safe to log; anything else is logged by name and message only. */
function describe(error: unknown): string {
  if (error instanceof ServiceError) return error.message;
  return error instanceof Error ? `${error.name}: ${error.message}` : "unknown error";
}
