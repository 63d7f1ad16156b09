import { S3Client } from "@aws-sdk/client-s3";

let client: S3Client | undefined;

/** The container's one S3 client (endpoint from the SDK's AWS_ENDPOINT_URL*). */
export function s3Client(): S3Client {
  // A local endpoint (moto) has no per-bucket host names.
  const local = Boolean(process.env.AWS_ENDPOINT_URL_S3 ?? process.env.AWS_ENDPOINT_URL);
  client ??= new S3Client({ forcePathStyle: local });
  return client;
}
