import { FaultQueue, RateWindow } from "./faults.ts";
import { TokenStore } from "./token.ts";
import type {
  ConfigPatch,
  EmulatorConfig,
  EmulatorOptions,
  Fault,
  FaultEndpoint,
  Profile,
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
  };
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
  readonly tokens = new TokenStore();
  readonly faults = new FaultQueue();
  readonly requests: RecordedRequest[] = [];
  readonly #initial: EmulatorConfig;
  #config: EmulatorConfig;
  #rateWindow: RateWindow | null = null;

  constructor(options: EmulatorOptions) {
    this.now = options.now ?? Date.now;
    this.#initial = initialConfig(options);
    checkLifetime(this.#initial.tokenLifetimeSeconds);
    this.#config = { ...this.#initial };
  }

  get config(): Readonly<EmulatorConfig> {
    return this.#config;
  }

  get rateWindow(): RateWindow | null {
    return this.#rateWindow;
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

  configure(patch: ConfigPatch): void {
    if (patch.tokenLifetimeSeconds !== undefined) checkLifetime(patch.tokenLifetimeSeconds);
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
    this.requests.length = 0;
    this.#config = { ...this.#initial };
  }
}
