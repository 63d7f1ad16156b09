import type { Clock } from "../clock.ts";
import { ConfigurationError, ServiceError, UpstreamError } from "../errors.ts";
import type { Log, MetricsSink } from "../observability/types.ts";
import { isRecord } from "../records.ts";

export interface ClientCredentials {
  clientId: string;
  clientSecret: string;
}

/** Reads the secret's string value; `lib/aws/secrets.ts` backs it with Secrets Manager. */
export type SecretReader = (secretId: string, signal?: AbortSignal) => Promise<string>;

export interface CredentialsProviderDeps {
  read: SecretReader;
  secretId: string;
  ttlMs: number;
  clock: Clock;
  log: Log;
  metrics: MetricsSink;
  /** A failed read is answered from memory this long, so a broken secret is not read in a hot loop. */
  failureHoldMs?: number;
}

const DEFAULT_FAILURE_HOLD_MS = 5_000;
const SECRET_NAME = "the secret named by SPOTIFY_SECRET_ID";

/**
 * The Spotify client id and secret, read once per container and kept for a TTL. Concurrent
 * callers share one read; `refresh()` re-reads at once (after Spotify said `invalid_client`).
 * When Secrets Manager fails for a moment after the TTL, the credentials in hand are used on
 * (unless Spotify rejected them); a configuration error is never papered over.
 */
export class CredentialsProvider {
  private cached: { value: ClientCredentials; readAt: number; rejected: boolean } | undefined;
  private failure: { error: ServiceError; until: number } | undefined;
  private inFlight: Promise<ClientCredentials> | undefined;

  constructor(private readonly deps: CredentialsProviderDeps) {}

  get(signal?: AbortSignal): Promise<ClientCredentials> {
    const now = this.deps.clock.now();
    if (this.cached && !this.cached.rejected && now - this.cached.readAt < this.deps.ttlMs) {
      return Promise.resolve(this.cached.value);
    }
    return this.read(signal);
  }

  /** Reads the secret again now: Spotify rejected the credentials in hand. */
  refresh(signal?: AbortSignal): Promise<ClientCredentials> {
    if (this.cached) this.cached.rejected = true;
    return this.read(signal);
  }

  private read(signal?: AbortSignal): Promise<ClientCredentials> {
    const now = this.deps.clock.now();
    if (this.failure && now < this.failure.until) return this.fallback(this.failure.error);
    this.inFlight ??= this.load(signal).finally(() => {
      this.inFlight = undefined;
    });
    return this.inFlight.catch((error: unknown) => this.fallback(error));
  }

  /** The last good credentials when the read failed for a passing reason, else the failure. */
  private fallback(error: unknown): Promise<ClientCredentials> {
    const usable = this.cached && !this.cached.rejected && !(error instanceof ConfigurationError);
    return usable && this.cached ? Promise.resolve(this.cached.value) : Promise.reject(error);
  }

  private async load(signal?: AbortSignal): Promise<ClientCredentials> {
    const { clock, log, metrics } = this.deps;
    metrics.count("SecretReads");
    try {
      const text = await this.deps.read(this.deps.secretId, signal);
      const value = parseCredentials(text);
      this.cached = { value, readAt: clock.now(), rejected: false };
      this.failure = undefined;
      log.info("Read Spotify credentials from Secrets Manager");
      return value;
    } catch (cause) {
      const error =
        cause instanceof ServiceError
          ? cause
          : new UpstreamError(502, `Could not read ${SECRET_NAME} from Secrets Manager`, {
              cause,
              ownFailure: "secret-unreadable",
            });
      this.failure = {
        error,
        until: clock.now() + (this.deps.failureHoldMs ?? DEFAULT_FAILURE_HOLD_MS),
      };
      const keeping =
        this.cached && !this.cached.rejected && !(error instanceof ConfigurationError);
      log.error("Reading Spotify credentials failed", {
        error: error.message,
        keepingPreviousCredentials: Boolean(keeping),
      });
      throw error;
    }
  }
}

/** Parses `{"client_id":"…","client_secret":"…"}`; errors name the field, never its value. */
export function parseCredentials(text: string): ClientCredentials {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new ConfigurationError(`The value of ${SECRET_NAME} is not JSON`);
  }
  if (!isRecord(parsed) || Array.isArray(parsed)) {
    throw new ConfigurationError(`The value of ${SECRET_NAME} must be a JSON object`);
  }
  const record = parsed;
  return {
    clientId: field(record, "client_id"),
    clientSecret: field(record, "client_secret"),
  };
}

/** What the stack puts in a secret it creates, until the owner stores the real credentials. */
const PLACEHOLDER = "REPLACE_ME";

function field(record: Record<string, unknown>, name: string): string {
  const value = record[name];
  if (typeof value !== "string" || value.trim() === "") {
    throw new ConfigurationError(`${capitalise(SECRET_NAME)} has no non-empty string "${name}"`);
  }
  if (value.trim() === PLACEHOLDER) {
    throw new ConfigurationError(
      `${capitalise(SECRET_NAME)} still holds the placeholder "${name}"; store the real Spotify credentials (see the README's Deploy section)`,
    );
  }
  return value.trim();
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
