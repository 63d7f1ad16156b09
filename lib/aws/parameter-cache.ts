import { GetParameterCommand, type SSMClient } from "@aws-sdk/client-ssm";
import type { QueriesSource } from "../batch/results-storage.ts";
import type { Clock } from "../clock.ts";
import { ConfigurationError } from "../errors.ts";
import { rethrowAwsError } from "./aws-errors.ts";

/**
 * Reads the batch definition from SSM Parameter Store (String or SecureString), keeping the
 * value across warm invocations for a TTL.
 */
export class ParameterCache implements QueriesSource {
  private cached: { name: string; value: string; readAt: number } | undefined;

  constructor(
    private readonly client: SSMClient,
    private readonly clock: Clock,
    private readonly ttlMs: number,
  ) {}

  async read(name: string, signal?: AbortSignal): Promise<string> {
    const now = this.clock.now();
    if (this.cached?.name === name && now - this.cached.readAt < this.ttlMs)
      return this.cached.value;
    let value: string | undefined;
    try {
      const output = await this.client.send(
        new GetParameterCommand({ Name: name, WithDecryption: true }),
        { abortSignal: signal },
      );
      value = output.Parameter?.Value;
    } catch (error) {
      rethrowAwsError(error, {
        ParameterNotFound: `SSM parameter ${name} (SCHEDULED_QUERIES_PARAMETER) does not exist`,
        AccessDeniedException: `This function may not read SSM parameter ${name}`,
      });
    }
    if (value === undefined) throw new ConfigurationError(`SSM parameter ${name} has no value`);
    this.cached = { name, value, readAt: this.clock.now() };
    return value;
  }
}
