import { describe, expect, it } from "vitest";
import {
  type CfnTemplate,
  functionOf,
  functionsOf,
  loadTemplate,
} from "../../infra/template/template.ts";
import { SCHEDULED_SETTINGS } from "../../lib/config.ts";

const template: CfnTemplate = loadTemplate();

function resource(logicalId: string) {
  const found = template.Resources[logicalId];
  if (!found) throw new Error(`missing resource ${logicalId}`);
  return found;
}

describe("template hardening: what must survive the stack", () => {
  it.each(["SpotifySecret", "ResultsBucket"])(
    "%s is retained on delete and on replacement",
    (id) => {
      expect(resource(id)).toMatchObject({
        DeletionPolicy: "Retain",
        UpdateReplacePolicy: "Retain",
      });
    },
  );

  it("the results bucket is versioned, and old versions and expired delete markers are cleaned up", () => {
    const props = resource("ResultsBucket").Properties ?? {};
    expect(props.VersioningConfiguration).toEqual({ Status: "Enabled" });
    const rules = (props.LifecycleConfiguration as { Rules: Record<string, unknown>[] }).Rules;
    expect(rules.find((rule) => rule.Id === "ExpireResults")).toMatchObject({
      NoncurrentVersionExpiration: { NoncurrentDays: 30 },
    });
    expect(rules.some((rule) => rule.ExpiredObjectDeleteMarker === true)).toBe(true);
  });
});

describe("template hardening: failed scheduled runs", () => {
  it("go to an encrypted SQS queue after their retry", () => {
    const config = functionOf(template, "ScheduledFunction").properties.EventInvokeConfig;
    expect(config).toMatchObject({
      MaximumRetryAttempts: 1,
      DestinationConfig: {
        OnFailure: { Type: "SQS", Destination: { "Fn::GetAtt": ["ScheduledFailureQueue", "Arn"] } },
      },
    });
    const queue = resource("ScheduledFailureQueue");
    expect(queue.Type).toBe("AWS::SQS::Queue");
    expect(queue.Properties?.SqsManagedSseEnabled).toBe(true);
  });

  it("an alarm fires as soon as one waits in the queue", () => {
    const alarm = resource("ScheduledFailureQueueAlarm").Properties ?? {};
    expect(alarm).toMatchObject({
      Namespace: "AWS/SQS",
      MetricName: "ApproximateNumberOfMessagesVisible",
      Dimensions: [
        { Name: "QueueName", Value: { "Fn::GetAtt": ["ScheduledFailureQueue", "QueueName"] } },
      ],
      Threshold: 0,
      ComparisonOperator: "GreaterThanThreshold",
    });
  });
});

describe("template hardening: search concurrency and the batch's pace", () => {
  it("SearchFunction's reserved concurrency is an optional parameter (empty = none)", () => {
    expect(template.Parameters?.SearchReservedConcurrency).toMatchObject({ Default: "" });
    expect(functionOf(template, "SearchFunction").properties.ReservedConcurrentExecutions).toEqual({
      "Fn::If": [
        "HasSearchReservedConcurrency",
        { Ref: "SearchReservedConcurrency" },
        { Ref: "AWS::NoValue" },
      ],
    });
    expect(functionOf(template, "ScheduledFunction").properties.ReservedConcurrentExecutions).toBe(
      undefined,
    );
  });

  it.each([
    ["BATCH_REQUESTS_PER_SECOND", "BatchRequestsPerSecond"],
    ["BATCH_MAX_REQUESTS", "BatchMaxRequests"],
  ] as const)("%s comes from the %s parameter, whose default is the code's", (name, parameter) => {
    const environment = functionOf(template, "ScheduledFunction").environment;
    expect(environment[name]).toEqual({ Ref: parameter });
    expect(String(template.Parameters?.[parameter]?.Default)).toBe(SCHEDULED_SETTINGS[name]);
  });
});

describe("template hardening: builds", () => {
  it.each(functionsOf(template).map((fn) => [fn.logicalId, fn] as const))(
    "%s is built with npm ci, for the Node version it runs on",
    (_id, fn) => {
      const major = /^nodejs(\d+)\.x$/.exec(fn.runtime)?.[1];
      expect(major).toBe("22");
      expect(fn.buildProperties).toMatchObject({ UseNpmCi: true, Target: `node${major}` });
    },
  );
});
