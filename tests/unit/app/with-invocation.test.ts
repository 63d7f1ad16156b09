import type { Context } from "aws-lambda";
import { afterEach, describe, expect, it } from "vitest";
import { lambdaContext } from "../../../infra/local/lambda-context.ts";
import { withInvocation } from "../../../lib/app/with-invocation.ts";
import { endInvocation, logger, tagApiRequest } from "../../../lib/observability/logger.ts";
import { emfMetrics, flushMetrics } from "../../../lib/observability/metrics.ts";
import { captureOutput } from "../observability/output.ts";

const output = captureOutput();
const lines = output.jsonLines;
// The logger and metrics are the container's: leave nothing behind for the next file.
afterEach(() => {
  flushMetrics();
  endInvocation();
});

const records = () => lines().filter((line) => "_aws" in line);
const logLines = () => lines().filter((line) => !("_aws" in line));

/** A handler that counts a metric and tags its lines as the search handler does. */
function countingHandler<Result>(finish: () => Result) {
  const seen: { recordsDuring?: number } = {};
  const handler = withInvocation(async (_event: unknown, _context: Context) => {
    // Some I/O first, as a real handler has: the wrapper must wait for the whole handler.
    await new Promise((resolve) => setImmediate(resolve));
    tagApiRequest("api-request-1");
    emfMetrics.count("CacheMisses", 2);
    logger.info("inside");
    seen.recordsDuring = records().length;
    return finish();
  });
  return { handler, seen };
}

describe("withInvocation passes the handler through", () => {
  it("gives the handler the event and context, and returns its result unchanged", async () => {
    const result = { statusCode: 200, body: "{}" };
    const context = lambdaContext();
    const event = { rawPath: "/search" };
    const given: unknown[] = [];
    const handler = withInvocation(async (e: typeof event, c: Context) => {
      given.push(e, c);
      return result;
    });

    await expect(handler(event, context)).resolves.toBe(result);
    expect(given).toHaveLength(2);
    expect(given[0]).toBe(event);
    expect(given[1]).toBe(context);
  });

  it("rejects with the handler's own error, unchanged", async () => {
    const failure = new TypeError("broken handler");
    const handler = withInvocation(async () => {
      throw failure;
    });

    await expect(handler({}, lambdaContext())).rejects.toBe(failure);
  });
});

describe("withInvocation around a handler that returns", () => {
  it("tags the handler's lines with the Lambda request id", async () => {
    const context = lambdaContext();
    const { handler } = countingHandler(() => "done");

    await handler({}, context);

    expect(logLines().find((line) => line.message === "inside")).toMatchObject({
      function_request_id: context.awsRequestId,
      api_request_id: "api-request-1",
    });
  });

  it("writes the invocation's metrics once the handler is done, not before", async () => {
    const { handler, seen } = countingHandler(() => "done");

    await handler({}, lambdaContext());

    expect(seen.recordsDuring).toBe(0);
    expect(records()).toHaveLength(1);
    expect(records()[0]).toMatchObject({ CacheMisses: 2 });
  });

  it("clears the per-request keys, so the next line carries none of them", async () => {
    const { handler } = countingHandler(() => "done");

    await handler({}, lambdaContext());
    logger.info("after the invocation");

    expect(logLines().at(-1)).toMatchObject({ message: "after the invocation" });
    expect(logLines().at(-1)).not.toHaveProperty("api_request_id");
  });
});

describe("withInvocation around a handler that throws", () => {
  const thrower = () =>
    countingHandler(() => {
      throw new Error("search failed");
    });

  it("still writes the invocation's metrics", async () => {
    const { handler, seen } = thrower();

    await expect(handler({}, lambdaContext())).rejects.toThrow("search failed");

    expect(seen.recordsDuring).toBe(0);
    expect(records()).toHaveLength(1);
    expect(records()[0]).toMatchObject({ CacheMisses: 2 });
  });

  it("still clears the per-request keys", async () => {
    const { handler } = thrower();

    await expect(handler({}, lambdaContext())).rejects.toThrow("search failed");
    logger.info("after the invocation");

    expect(logLines().at(-1)).not.toHaveProperty("api_request_id");
  });
});

describe("withInvocation across invocations of one container", () => {
  it("each invocation's lines carry its own request id, and its metrics are written with it", async () => {
    const first = lambdaContext();
    const second = lambdaContext();
    const { handler } = countingHandler(() => "done");

    await handler({}, first);
    await handler({}, second);

    expect(
      logLines()
        .filter((line) => line.message === "inside")
        .map((line) => line.function_request_id),
    ).toEqual([first.awsRequestId, second.awsRequestId]);
    expect(records()).toHaveLength(2);
  });
});
