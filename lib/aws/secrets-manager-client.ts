import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";

let client: SecretsManagerClient | undefined;

/** The container's one Secrets Manager client (endpoint from the SDK's AWS_ENDPOINT_URL*). */
export function secretsManagerClient(): SecretsManagerClient {
  client ??= new SecretsManagerClient({});
  return client;
}
