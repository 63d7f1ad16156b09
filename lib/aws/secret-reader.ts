import { GetSecretValueCommand, type SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { ConfigurationError } from "../errors.ts";
import type { SecretReader } from "../spotify/credentials-provider.ts";
import { rethrowAwsError } from "./aws-errors.ts";

const NAME = "the secret named by SPOTIFY_SECRET_ID";

/** Reads a secret's SecretString; a missing or unreadable secret is a configuration error. */
export function secretReader(client: SecretsManagerClient): SecretReader {
  return async (secretId, signal) => {
    let secretString: string | undefined;
    try {
      const output = await client.send(new GetSecretValueCommand({ SecretId: secretId }), {
        abortSignal: signal,
      });
      secretString = output.SecretString;
    } catch (error) {
      rethrowAwsError(error, {
        ResourceNotFoundException: `${cap(NAME)} does not exist`,
        AccessDeniedException: `This function may not read ${NAME}`,
        DecryptionFailure: `${cap(NAME)} cannot be decrypted with its KMS key`,
        InvalidRequestException: `${cap(NAME)} cannot be read (deleted or not yet set?)`,
      });
    }
    if (secretString === undefined)
      throw new ConfigurationError(`${cap(NAME)} has no SecretString`);
    return secretString;
  };
}

function cap(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
