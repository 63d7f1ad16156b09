import { DynamoDBClient } from "@aws-sdk/client-dynamodb";

let client: DynamoDBClient | undefined;

/**
 * The container's one DynamoDB client (endpoint from the SDK's AWS_ENDPOINT_URL*). One attempt:
 * every call carries its own short deadline, and a retry would only spend it.
 */
export function dynamoDbClient(): DynamoDBClient {
  client ??= new DynamoDBClient({ maxAttempts: 1 });
  return client;
}
