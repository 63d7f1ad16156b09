import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { afterEach, describe, expect, it } from "vitest";
import { createSpotifyRuntime } from "../../../lib/app/runtime.ts";
import { ParameterCache } from "../../../lib/aws/parameter-cache.ts";
import { ssmClient } from "../../../lib/aws/ssm-client.ts";
import { collect } from "../../../lib/batch/collect.ts";
import { parseScheduledEvent } from "../../../lib/batch/scheduled-event.ts";
import { loadScheduledConfig, loadSpotifyConfig } from "../../../lib/config.ts";
import { Deadline } from "../../../lib/deadline.ts";
import { noMetrics, silentLog } from "../../../lib/observability/types.ts";
import { FakeClock } from "../../support/fake-clock.ts";
import { startTestStack, type TestStack } from "../../support/stack.ts";

let stack: TestStack | undefined;
afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

describe("the batch waits longer than an API caller", () => {
  it("a Retry-After beyond the API's cap but within BATCH_MAX_WAIT_SECONDS is waited out", async () => {
    const clock = new FakeClock();
    stack = await startTestStack({ emulator: { now: clock.now } });
    const scheduled = loadScheduledConfig({ SCHEDULED_QUERIES_PARAMETER: "/unused" });
    const config = loadSpotifyConfig(stack.env);
    const spotify = createSpotifyRuntime(
      { ...config, retry: { ...config.retry, maxRetryAfterMs: scheduled.maxRetryAfterMs } },
      {
        secretsManager: new SecretsManagerClient({
          endpoint: stack.aws.endpoint,
          region: "us-east-1",
        }),
        log: silentLog,
        metrics: noMetrics,
        clock,
      },
    );
    stack.emulator.fault("search", { kind: "rate-limit", retryAfter: "25" });
    const run = parseScheduledEvent(
      {
        queries: [
          { q: "a", type: "track" },
          { q: "b", type: "album" },
        ],
      },
      new Date(clock.now()),
    );

    const summary = await collect(run, new Deadline(clock.now() + 290_000, clock), {
      spotify,
      config: scheduled,
      parameters: new ParameterCache(ssmClient(), clock, 0),
      store: undefined,
      log: silentLog,
      metrics: noMetrics,
    });

    expect(summary).toMatchObject({ succeeded: 2, failed: 0 });
    const searches = stack.emulator.requests.filter((r) => r.endpoint === "search");
    const limited = searches.find((r) => r.status === 429);
    for (const later of searches.filter((r) => r.receivedAt > (limited?.receivedAt ?? 0))) {
      expect(later.receivedAt - (limited?.receivedAt ?? 0)).toBeGreaterThanOrEqual(25_000);
    }
  });
});
