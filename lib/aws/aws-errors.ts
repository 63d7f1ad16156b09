import { ConfigurationError } from "../errors.ts";
import { asRecord } from "../records.ts";

/** The SDK's exception type (`ResourceNotFoundException`, ...), or undefined for other errors. */
export function awsErrorName(error: unknown): string | undefined {
  const name = asRecord(error).name;
  return typeof name === "string" ? name : undefined;
}

/**
 * The one mapping from AWS SDK errors to ours: an exception named in `configurationErrors` is the
 * function's own setup being wrong (500 naming what to fix); anything else is thrown as it is, for
 * the caller's retry or fallback rules.
 */
export function rethrowAwsError(
  error: unknown,
  configurationErrors: Record<string, string>,
): never {
  const name = awsErrorName(error);
  // Own keys only: an error named `toString` is not one of ours.
  const message =
    name !== undefined && Object.hasOwn(configurationErrors, name)
      ? configurationErrors[name]
      : undefined;
  if (message !== undefined) throw new ConfigurationError(message, { cause: error });
  throw error;
}
