import type { Context } from "aws-lambda";
import { API_GATEWAY_BUDGET_MS, Deadline } from "../lib/deadline.ts";
import { MethodNotAllowedError, NotFoundError, ServiceError } from "../lib/errors.ts";
import { type ApiEvent, parseApiEvent } from "../lib/http/event.ts";
import { type ApiResult, errorResponse, jsonText } from "../lib/http/response.ts";
import {
  beginInvocation,
  endInvocation,
  logger,
  tagApiRequest,
} from "../lib/observability/logger.ts";
import { emfMetrics, flushMetrics } from "../lib/observability/metrics.ts";
import { parseSearchQuery } from "../lib/search/params.ts";
import { containerRuntime } from "../lib/spotify/container.ts";
import type { SpotifyRuntime } from "../lib/spotify/runtime.ts";

/** `GET /search` behind API Gateway (HTTP API v2.0 or REST API v1 proxy events). */
export function createSearchHandler(runtime: () => SpotifyRuntime) {
  return async (event: ApiEvent, context: Context): Promise<ApiResult> => {
    try {
      beginInvocation(context);
      const request = parseApiEvent(event);
      tagApiRequest(request.requestId);
      if (!/(^|\/)search\/?$/.test(request.path))
        throw new NotFoundError(`No route for ${request.path}`);
      if (request.method !== "GET") throw new MethodNotAllowedError(request.method, ["GET"]);
      const spotify = runtime();
      const params = parseSearchQuery(request.query, spotify.config.maxLimit);
      const deadline = Deadline.fromRemaining(context.getRemainingTimeInMillis(), spotify.clock, {
        marginMs: spotify.config.retry.deadlineMarginMs,
        capMs: API_GATEWAY_BUDGET_MS,
      });
      const page = await spotify.client.search(params, deadline);
      return jsonText(200, page.text);
    } catch (error) {
      const response = errorResponse(error);
      if (response.statusCode === 429) emfMetrics.count("ThrottledAnswers");
      if (response.statusCode >= 500) {
        logger.error("Search failed", { status: response.statusCode, error: describe(error) });
      } else {
        logger.info("Search refused", { status: response.statusCode, error: describe(error) });
      }
      return response;
    } finally {
      flushMetrics();
      endInvocation();
    }
  };
}

export const handler = createSearchHandler(containerRuntime);

function describe(error: unknown): string {
  if (error instanceof ServiceError) return error.message;
  return error instanceof Error ? `${error.name}: ${error.message}` : "unknown error";
}
