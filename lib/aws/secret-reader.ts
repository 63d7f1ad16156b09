import { GetSecretValueCommand, type SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { ConfigurationError } from "../errors.ts";
import type { SecretReader } from "../spotify/credentials-provider.ts";

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
      const code = (error as { name?: string }).name;
      if (code === "ResourceNotFoundException")
        throw new ConfigurationError(`${cap(NAME)} does not exist`, { cause: error });
      if (code === "AccessDeniedException")
        throw new ConfigurationError(`This function may not read ${NAME}`, { cause: error });
      if (code === "DecryptionFailure")
        throw new ConfigurationError(`${cap(NAME)} cannot be decrypted with its KMS key`, {
          cause: error,
        });
      if (code === "InvalidRequestException")
        throw new ConfigurationError(`${cap(NAME)} cannot be read (deleted or not yet set?)`, {
          cause: error,
        });
      throw error;
    }
    if (secretString === undefined)
      throw new ConfigurationError(`${cap(NAME)} has no SecretString`);
    return secretString;
  };
}

function cap(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
