/**
 * Bench-only stand-in for `lib/observability/logger.ts` without Powertools: the same exports, one
 * JSON line per entry on stdout with the keys Powertools writes (level, message, timestamp, service,
 * the Lambda context keys, appended keys). The bench swaps it in with an esbuild plugin to show what
 * the logging library itself costs in bundle size and cold start. Not used by the functions.
 */
import type { Context } from "aws-lambda";
import type { Log } from "../../../lib/observability/types.ts";

type Level = "DEBUG" | "INFO" | "WARN" | "ERROR";
const RANK: Record<Level, number> = { DEBUG: 8, INFO: 12, WARN: 16, ERROR: 20 };

function threshold(): number {
  const name = (process.env.AWS_LAMBDA_LOG_LEVEL ?? process.env.POWERTOOLS_LOG_LEVEL ?? "INFO")
    .trim()
    .toUpperCase();
  return RANK[name as Level] ?? RANK.INFO;
}

class PlainLogger implements Log {
  private readonly service = process.env.POWERTOOLS_SERVICE_NAME ?? "service_undefined";
  private readonly minRank = threshold();
  private context: Record<string, unknown> = {};
  private temporary: Record<string, unknown> = {};
  private coldStart = true;

  debug(message: string, ...extra: Record<string, unknown>[]): void {
    this.write("DEBUG", message, extra);
  }
  info(message: string, ...extra: Record<string, unknown>[]): void {
    this.write("INFO", message, extra);
  }
  warn(message: string, ...extra: Record<string, unknown>[]): void {
    this.write("WARN", message, extra);
  }
  error(message: string, ...extra: Record<string, unknown>[]): void {
    this.write("ERROR", message, extra);
  }

  addContext(context: Context): void {
    this.context = {
      cold_start: this.coldStart,
      function_arn: context.invokedFunctionArn,
      function_memory_size: Number(context.memoryLimitInMB),
      function_name: context.functionName,
      function_request_id: context.awsRequestId,
    };
    this.coldStart = false;
  }
  appendKeys(keys: Record<string, unknown>): void {
    Object.assign(this.temporary, keys);
  }
  resetKeys(): void {
    this.temporary = {};
  }

  private write(level: Level, message: string, extra: Record<string, unknown>[]): void {
    if (RANK[level] < this.minRank) return;
    const entry: Record<string, unknown> = {
      level,
      message,
      timestamp: new Date().toISOString(),
      service: this.service,
      ...this.context,
      ...this.temporary,
    };
    for (const item of extra) Object.assign(entry, item);
    process.stdout.write(`${JSON.stringify(entry, errorsAsObjects)}\n`);
  }
}

function errorsAsObjects(_key: string, value: unknown): unknown {
  if (value instanceof Error) return { name: value.name, message: value.message };
  return value;
}

export const logger = new PlainLogger();

export function beginInvocation(context: Context): void {
  logger.addContext(context);
}

export function tagApiRequest(apiRequestId: string | undefined): void {
  if (apiRequestId) logger.appendKeys({ api_request_id: apiRequestId });
}

export function endInvocation(): void {
  logger.resetKeys();
}
