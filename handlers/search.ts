import type { Context } from "aws-lambda";
import { containerRuntime, type SpotifyRuntime } from "../lib/app/runtime.ts";
import { API_GATEWAY_BUDGET_MS, Deadline } from "../lib/deadline.ts";
import { MethodNotAllowedError, NotFoundError } from "../lib/errors.ts";
import { answerError } from "../lib/http/answer-error.ts";
import { type ApiEvent, parseApiEvent } from "../lib/http/api-event.ts";
import type { ApiResult } from "../lib/http/api-response.ts";
import { cachedAnswer } from "../lib/http/cache-headers.ts";
import {
  beginInvocation,
  endInvocation,
  logger,
  tagApiRequest,
} from "../lib/observability/logger.ts";
import { emfMetrics, flushMetrics } from "../lib/observability/metrics.ts";
import { parseSearchQuery } from "../lib/search/search-params.ts";

/** `/search`, also behind a stage prefix (`/prod/search`) or with a trailing slash. */
const SEARCH_PATH = /(^|\/)search\/?$/;

/** `GET /search` behind API Gateway (HTTP API v2.0 or REST API v1 proxy events). */
export function createSearchHandler(runtime: () => SpotifyRuntime) {
  return async (event: ApiEvent, context: Context): Promise<ApiResult> => {
    try {
      beginInvocation(context);
      const request = parseApiEvent(event);
      tagApiRequest(request.requestId);
      if (!SEARCH_PATH.test(request.path)) throw new NotFoundError(`No route for ${request.path}`);
      if (request.method !== "GET") throw new MethodNotAllowedError(request.method, ["GET"]);
      const spotify = runtime();
      const params = parseSearchQuery(request.query, spotify.config.maxLimit);
      const deadline = Deadline.fromRemaining(context.getRemainingTimeInMillis(), spotify.clock, {
        marginMs: spotify.config.retry.deadlineMarginMs,
        capMs: API_GATEWAY_BUDGET_MS,
      });
      const answer = await spotify.searches.search(params, deadline);
      return cachedAnswer(answer, spotify.cacheConfig, spotify.clock.now());
    } catch (error) {
      return answerError(error, logger, emfMetrics);
    } finally {
      flushMetrics();
      endInvocation();
    }
  };
}

export const handler = createSearchHandler(containerRuntime);
