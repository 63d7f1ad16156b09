import { FaultQueue, QuotaCounter, RateWindow } from "./faults.ts";
import { TokenStore } from "./token.ts";
import type {
  ConfigPatch,
  EmulatorConfig,
  EmulatorOptions,
  Fault,
  FaultEndpoint,
  Latency,
  Profile,
  Quota,
  RateLimit,
  RecordedEndpoint,
  RecordedRequest,
} from "./types.ts";

export function initialConfig(options: EmulatorOptions): EmulatorConfig {
  return {
    profile: options.profile ?? "development",
    clientId: options.clientId ?? "local-client-id",
    clientSecret: options.clientSecret ?? "local-client-secret",
    tokenLifetimeSeconds: options.tokenLifetimeSeconds ?? 3600,
    legacy401Messages: options.legacy401Messages ?? false,
    latency: options.latency ?? null,
  };
}

function checkLatency(latency: Latency | null | undefined): void {
  if (latency === null || latency === undefined) return;
  const { minMs, maxMs } = latency;
  if (!(Number.isInteger(minMs) && Number.isInteger(maxMs) && minMs >= 0 && maxMs >= minMs)) {
    throw new RangeError("latency needs integers 0 <= minMs <= maxMs");
  }
}

function checkQuota(quota: Quota): void {
  const { maxRequests, retryAfterSeconds } = quota;
  if (
    !(
      Number.isInteger(maxRequests) &&
      maxRequests >= 0 &&
      Number.isInteger(retryAfterSeconds) &&
      retryAfterSeconds >= 1
    )
  ) {
    throw new RangeError("maxRequests (>= 0) and retryAfterSeconds (>= 1) must be integers");
  }
}

function checkLifetime(seconds: number): void {
  if (!Number.isInteger(seconds) || seconds < 0) {
    throw new RangeError("tokenLifetimeSeconds must be a non-negative integer");
  }
}

function checkRateLimit(limit: RateLimit): void {
  const { windowMs, maxRequests } = limit;
  if (
    !(
      Number.isInteger(windowMs) &&
      windowMs >= 1 &&
      Number.isInteger(maxRequests) &&
      maxRequests >= 0
    )
  ) {
    throw new RangeError("windowMs (>= 1) and maxRequests (>= 0) must be integers");
  }
}

/** Everything the emulator remembers between requests, and the controls over it. */
export class EmulatorState {
  readonly now: () => number;
  readonly #random: () => number;
  readonly tokens = new TokenStore();
  readonly faults = new FaultQueue();
  readonly requests: RecordedRequest[] = [];
  readonly #initial: EmulatorConfig;
  #config: EmulatorConfig;
  #rateWindow: RateWindow | null = null;
  #quota: QuotaCounter | null = null;

  constructor(options: EmulatorOptions) {
    this.now = options.now ?? Date.now;
    this.#random = options.random ?? Math.random;
    this.#initial = initialConfig(options);
    checkLifetime(this.#initial.tokenLifetimeSeconds);
    checkLatency(this.#initial.latency);
    this.#config = { ...this.#initial };
  }

  get config(): Readonly<EmulatorConfig> {
    return this.#config;
  }

  get rateWindow(): RateWindow | null {
    return this.#rateWindow;
  }

  get quota(): QuotaCounter | null {
    return this.#quota;
  }

  /** This answer's latency in ms (0 when none is configured). */
  latencyMs(): number {
    const latency = this.#config.latency;
    if (latency === null) return 0;
    return Math.round(latency.minMs + this.#random() * (latency.maxMs - latency.minMs));
  }

  count(endpoint?: RecordedEndpoint): number {
    if (endpoint === undefined) return this.requests.length;
    return this.requests.filter((request) => request.endpoint === endpoint).length;
  }

  fault(endpoint: FaultEndpoint, fault: Fault, times = 1): void {
    this.faults.add(endpoint, fault, times);
  }

  issueToken(): string {
    return this.tokens.mint(this.#config.tokenLifetimeSeconds, this.now());
  }

  setRateLimit(limit: RateLimit | null): void {
    if (limit !== null) checkRateLimit(limit);
    this.#rateWindow = limit === null ? null : new RateWindow(limit);
  }

  setQuota(quota: Quota | null): void {
    if (quota !== null) checkQuota(quota);
    this.#quota = quota === null ? null : new QuotaCounter(quota);
  }

  configure(patch: ConfigPatch): void {
    if (patch.tokenLifetimeSeconds !== undefined) checkLifetime(patch.tokenLifetimeSeconds);
    checkLatency(patch.latency);
    const defined = Object.entries(patch).filter(([, value]) => value !== undefined);
    this.#config = { ...this.#config, ...Object.fromEntries(defined) };
  }

  setProfile(profile: Profile): void {
    this.configure({ profile });
  }

  setClient(clientId: string, clientSecret: string): void {
    this.configure({ clientId, clientSecret });
  }

  reset(): void {
    this.faults.clear();
    this.#rateWindow = null;
    this.#quota = null;
    this.requests.length = 0;
    this.#config = { ...this.#initial };
  }
}
