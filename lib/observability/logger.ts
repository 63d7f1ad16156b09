import { Logger } from "@aws-lambda-powertools/logger";
import type { Context } from "aws-lambda";

/**
 * The container's structured JSON logger. Service name and level come from the environment
 * (POWERTOOLS_SERVICE_NAME, POWERTOOLS_LOG_LEVEL); every line carries the Lambda request id and,
 * for API calls, API Gateway's request id.
 */
export const logger = new Logger();

/** Tags every line of this invocation with the Lambda request id. */
export function beginInvocation(context: Context): void {
  logger.addContext(context);
}

/** Tags every further line of this invocation with API Gateway's request id. */
export function tagApiRequest(apiRequestId: string | undefined): void {
  if (apiRequestId) logger.appendKeys({ api_request_id: apiRequestId });
}

/** Clears the per-request keys, so no line of the next invocation carries them. */
export function endInvocation(): void {
  logger.resetKeys();
}
