import { ResourceNotFoundException } from "@aws-sdk/client-secrets-manager";
import { ParameterNotFound } from "@aws-sdk/client-ssm";
import { describe, expect, it } from "vitest";
import { awsErrorName, rethrowAwsError } from "../../../lib/aws/aws-errors.ts";
import { ConfigurationError } from "../../../lib/errors.ts";

const notFound = () =>
  new ResourceNotFoundException({ message: "Secrets Manager can't find it", $metadata: {} });

/** What `rethrowAwsError` threw. */
function thrownBy(error: unknown, configurationErrors: Record<string, string>): unknown {
  try {
    rethrowAwsError(error, configurationErrors);
  } catch (thrown) {
    return thrown;
  }
  throw new Error("rethrowAwsError returned");
}

describe("awsErrorName", () => {
  it("is the SDK exception's type", () => {
    expect(awsErrorName(notFound())).toBe("ResourceNotFoundException");
    expect(awsErrorName(new ParameterNotFound({ message: "gone", $metadata: {} }))).toBe(
      "ParameterNotFound",
    );
  });

  it("is the name of any error-like object", () => {
    expect(awsErrorName({ name: "ThrottlingException" })).toBe("ThrottlingException");
    expect(awsErrorName(new TypeError("x"))).toBe("TypeError");
  });

  it.each([undefined, null, "ResourceNotFoundException", 42, { name: 7 }, {}])(
    "is undefined for %j",
    (error) => {
      expect(awsErrorName(error)).toBeUndefined();
    },
  );
});

describe("rethrowAwsError", () => {
  const SETUP = {
    ResourceNotFoundException: "The secret named by SPOTIFY_SECRET_ID does not exist",
  };

  it("turns a listed exception into a 500 naming what to fix, keeping the SDK error as its cause", () => {
    const original = notFound();

    const thrown = thrownBy(original, SETUP);

    expect(thrown).toBeInstanceOf(ConfigurationError);
    expect(thrown).toMatchObject({
      status: 500,
      message: "The secret named by SPOTIFY_SECRET_ID does not exist",
      cause: original,
    });
  });

  it("throws an unlisted exception as it is, for the caller's retry or fallback", () => {
    const throttled = Object.assign(new Error("Rate exceeded"), { name: "ThrottlingException" });

    expect(thrownBy(throttled, SETUP)).toBe(throttled);
  });

  it("throws anything without a name as it is", () => {
    const odd = { message: "no name" };

    expect(thrownBy(odd, SETUP)).toBe(odd);
    expect(thrownBy(undefined, SETUP)).toBeUndefined();
  });
});

describe("rethrowAwsError reads only the names it was given", () => {
  it("an error named like an Object.prototype member (toString) is rethrown as it is", () => {
    const error = Object.assign(new Error("odd"), { name: "toString" });
    expect(() => rethrowAwsError(error, { ResourceNotFoundException: "missing" })).toThrow(error);
  });
});
