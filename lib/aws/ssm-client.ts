import { SSMClient } from "@aws-sdk/client-ssm";

let client: SSMClient | undefined;

/** The container's one SSM client (endpoint from the SDK's AWS_ENDPOINT_URL*). */
export function ssmClient(): SSMClient {
  client ??= new SSMClient({});
  return client;
}
