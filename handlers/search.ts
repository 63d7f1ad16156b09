import type { Context } from "aws-lambda";
import { containerRuntime, type SpotifyRuntime } from "../lib/app/runtime.ts";
import { withInvocation } from "../lib/app/with-invocation.ts";
import { searchResponse } from "../lib/cache/search-response.ts";
import { API_GATEWAY_BUDGET_MS, Deadline } from "../lib/deadline.ts";
import { MethodNotAllowedError, NotFoundError } from "../lib/errors.ts";
import { answerError } from "../lib/http/answer-error.ts";
import { type ApiEvent, parseApiEvent } from "../lib/http/api-event.ts";
import type { ApiResult } from "../lib/http/api-response.ts";
import { searchBase } from "../lib/http/paging-links.ts";
import { logger, tagApiRequest } from "../lib/observability/logger.ts";
import { emfMetrics } from "../lib/observability/metrics.ts";
import type { Log, MetricsSink } from "../lib/observability/types.ts";
import { parseSearchQuery } from "../lib/search/search-params.ts";

/** `/search`, also behind a stage prefix (`/prod/search`) or with a trailing slash. */
const SEARCH_PATH = /(^|\/)search\/?$/;

/** Where errors are logged and counted when the runtime could not even be built. */
const containerObservability = { log: logger, metrics: emfMetrics };

/** `GET /search` behind API Gateway (HTTP API v2.0 or REST API v1 proxy events). */
export function createSearchHandler(
  runtime: () => SpotifyRuntime,
  observability: { log: Log; metrics: MetricsSink } = containerObservability,
) {
  return withInvocation(async (event: ApiEvent, context: Context): Promise<ApiResult> => {
    let { log, metrics } = observability;
    try {
      const request = parseApiEvent(event);
      tagApiRequest(request.requestId);
      if (!SEARCH_PATH.test(request.path)) throw new NotFoundError(`No route for ${request.path}`);
      if (request.method !== "GET") throw new MethodNotAllowedError(request.method, ["GET"]);
      const spotify = runtime();
      ({ log, metrics } = spotify);
      const params = parseSearchQuery(request.query, spotify.config.maxLimit);
      const deadline = Deadline.fromRemaining(context.getRemainingTimeInMillis(), spotify.clock, {
        marginMs: spotify.config.retry.deadlineMarginMs,
        capMs: API_GATEWAY_BUDGET_MS,
      });
      const answer = await spotify.searches.search(params, deadline);
      return searchResponse(answer, {
        cacheConfig: spotify.cacheConfig,
        apiUrl: spotify.config.apiUrl,
        linkBase: searchBase(request.origin, spotify.apiConfig.publicBaseUrl),
        visibility: request.authorized ? "private" : "public",
        now: spotify.clock.now(),
      });
    } catch (error) {
      return answerError(error, log, metrics);
    }
  });
}

export const handler = createSearchHandler(containerRuntime);
