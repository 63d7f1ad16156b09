import { afterEach, describe, expect, it } from "vitest";
import { lambdaContext } from "../../../infra/local/lambda-context.ts";
import {
  beginInvocation,
  endInvocation,
  logger,
  tagApiRequest,
} from "../../../lib/observability/logger.ts";
import { captureOutput } from "./output.ts";

const output = captureOutput();
const lines = output.jsonLines;
afterEach(() => endInvocation());

describe("the container's logger", () => {
  it("writes one JSON line per call, with the service name and level", () => {
    logger.info("Search refused", { status: 400 });

    expect(lines()).toEqual([
      expect.objectContaining({
        level: "INFO",
        message: "Search refused",
        service: "spotify-search",
        status: 400,
      }),
    ]);
  });
});

describe("beginInvocation", () => {
  it("tags every line of the invocation with the Lambda request id", () => {
    const context = lambdaContext();

    beginInvocation(context);
    logger.info("first");
    logger.warn("second");

    expect(lines().map((line) => line.function_request_id)).toEqual([
      context.awsRequestId,
      context.awsRequestId,
    ]);
  });

  it("a new invocation's lines carry the new request id", () => {
    const first = lambdaContext();
    const second = lambdaContext();
    beginInvocation(first);
    endInvocation();

    beginInvocation(second);
    logger.info("next");

    expect(lines()[0]?.function_request_id).toBe(second.awsRequestId);
  });
});

describe("tagApiRequest", () => {
  it("tags every further line with API Gateway's request id", () => {
    beginInvocation(lambdaContext());

    tagApiRequest("Kz3xYhb6IAMEb7w=");
    logger.info("one");
    logger.error("two");

    expect(lines().map((line) => line.api_request_id)).toEqual([
      "Kz3xYhb6IAMEb7w=",
      "Kz3xYhb6IAMEb7w=",
    ]);
  });

  it.each([undefined, ""])("adds no key when API Gateway gave no id (%j)", (id) => {
    beginInvocation(lambdaContext());

    tagApiRequest(id);
    logger.info("untagged");

    expect(lines()[0]).not.toHaveProperty("api_request_id");
  });
});

describe("endInvocation", () => {
  it("clears API Gateway's request id, so no line of the next invocation carries it", () => {
    beginInvocation(lambdaContext());
    tagApiRequest("previous-request");
    endInvocation();

    beginInvocation(lambdaContext());
    logger.info("next invocation");

    expect(lines()[0]).not.toHaveProperty("api_request_id");
  });
});
