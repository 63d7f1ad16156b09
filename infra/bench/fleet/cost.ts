/**
 * Estimated AWS cost per million caller requests, from what a simulated mode measured, front door
 * included: what a user of the service pays.
 *
 * Prices as published by AWS on its pricing pages for us-east-1 (N. Virginia), on-demand, first
 * tier of each, as of June 2025: the latest we read them (this machine has no internet; re-check
 * before quoting). Each had been stable since the date noted:
 * - AWS Lambda (aws.amazon.com/lambda/pricing): Arm (Graviton2) duration $0.0000133334 per
 *   GB-second (first 7.5 billion GB-s a month; unchanged since arm64 launched, September 2021);
 *   requests $0.20 per million.
 * - Amazon DynamoDB on-demand (aws.amazon.com/dynamodb/pricing/on-demand): $0.625 per million
 *   write request units, $0.125 per million read request units (since the 1 November 2024 cut).
 * - Amazon CloudWatch Logs (aws.amazon.com/cloudwatch/pricing): Standard log ingestion $0.50 per
 *   GB (Lambda's logs: the first 10 TB tier of the May 2025 tiered pricing).
 * - The front door, one request per caller request: Amazon API Gateway HTTP APIs
 *   (aws.amazon.com/api-gateway/pricing): $1.00 per million requests (the first 300 million a
 *   month; $0.90 beyond), what template.yaml deploys; or a Lambda function URL
 *   (docs.aws.amazon.com/lambda/latest/dg/urls-configuration.html and aws.amazon.com/lambda/pricing:
 *   no charge of its own, the invocation is billed as Lambda requests and duration), $0.
 * Left out: Secrets Manager (one GetSecretValue per container), log storage, data transfer, and
 * INIT time (billed since August 2025, but a short run's few cold starts would be overcounted per
 * million).
 */
export const PRICES = {
  source: "as published by AWS, us-east-1, on-demand, June 2025",
  lambdaArmGbSecond: 0.0000133334,
  lambdaRequest: 0.2 / 1e6,
  dynamoWriteUnit: 0.625 / 1e6,
  dynamoReadUnit: 0.125 / 1e6,
  logsIngestedGb: 0.5,
  httpApiRequest: 1.0 / 1e6,
  functionUrlRequest: 0,
} as const;

export interface CostInputs {
  callerRequests: number;
  invocations: number;
  /** Sum over invocations of the handler's duration rounded up to the millisecond. */
  billedMs: number;
  memoryMb: number;
  readUnits: number;
  writeUnits: number;
  logBytes: number;
}

export interface CostPerMillion {
  lambdaCompute: number;
  lambdaRequests: number;
  dynamodb: number;
  logs: number;
  /** Lambda, DynamoDB and logs: the same behind either front door. */
  backend: number;
  /** The front door: API Gateway HTTP API (template.yaml) or a Lambda function URL. */
  httpApi: number;
  functionUrl: number;
  /** What a user pays behind the HTTP API. */
  total: number;
  /** What a user pays behind a function URL. */
  totalWithFunctionUrl: number;
}

/** USD per million caller requests, by item. */
export function costPerMillion(inputs: CostInputs): CostPerMillion {
  const scale = inputs.callerRequests > 0 ? 1e6 / inputs.callerRequests : 0;
  const gbSeconds = (inputs.billedMs / 1000) * (inputs.memoryMb / 1024);
  const lambdaCompute = gbSeconds * PRICES.lambdaArmGbSecond * scale;
  const lambdaRequests = inputs.invocations * PRICES.lambdaRequest * scale;
  const dynamodb =
    (inputs.readUnits * PRICES.dynamoReadUnit + inputs.writeUnits * PRICES.dynamoWriteUnit) * scale;
  const logs = (inputs.logBytes / 1024 ** 3) * PRICES.logsIngestedGb * scale;
  const backend = lambdaCompute + lambdaRequests + dynamodb + logs;
  const httpApi = inputs.callerRequests * PRICES.httpApiRequest * scale;
  const functionUrl = inputs.callerRequests * PRICES.functionUrlRequest * scale;
  return {
    lambdaCompute,
    lambdaRequests,
    dynamodb,
    logs,
    backend,
    httpApi,
    functionUrl,
    total: backend + httpApi,
    totalWithFunctionUrl: backend + functionUrl,
  };
}
