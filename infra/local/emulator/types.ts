export type Profile = "development" | "extended";

/** Endpoints that take scripted faults. */
export type FaultEndpoint = "token" | "search";

/** How a request is classified in the recording. */
export type RecordedEndpoint = FaultEndpoint | "other";

export type Fault =
  | { kind: "status"; status: number; body?: unknown; headers?: Record<string, string> }
  | {
      kind: "rate-limit";
      retryAfter?: string | null;
      emptyBody?: boolean;
      lowerCaseHeader?: boolean;
    }
  | { kind: "quota"; retryAfter?: number }
  | { kind: "unauthorized" }
  | { kind: "reset" }
  | { kind: "hang" }
  | { kind: "malformed-json" }
  | { kind: "delay"; ms: number };

export type FaultKind = Fault["kind"];

export interface RateLimit {
  windowMs: number;
  maxRequests: number;
  /** Count the requests it refuses too, so a client calling during its Retry-After extends it. */
  countRejected?: boolean;
}

/** Spotify's daily quota scaled down: after `maxRequests` admitted searches, 429 QUOTA_EXCEEDED. */
export interface Quota {
  maxRequests: number;
  /** How long the quota stays exceeded once tripped (Retry-After counts down to its end). */
  retryAfterSeconds: number;
  /** Trip once only: after its window every search is admitted (one lockout in a run). */
  once?: boolean;
}

/** Time each token and search request takes, drawn uniformly from [minMs, maxMs]. */
export interface Latency {
  minMs: number;
  maxMs: number;
}

export interface RecordedRequest {
  endpoint: RecordedEndpoint;
  method: string;
  path: string;
  /** Decoded query parameters; the first value wins when a name repeats. */
  query: Record<string, string>;
  rawUrl: string;
  /** Lower-case names, values as received (repeated headers joined with ", "). */
  headers: Record<string, string>;
  /** Raw request body ("" when none). */
  body: string;
  receivedAt: number;
  /** When the answer was sent (after any latency); absent while pending and for reset/hang. */
  answeredAt?: number;
  /** Response status; 0 while pending and for reset/hang faults. */
  status: number;
  retryAfter?: string;
  tokenUsed?: string;
}

export interface EmulatorOptions {
  /** 0 (default) picks an ephemeral port. */
  port?: number;
  host?: string;
  profile?: Profile;
  clientId?: string;
  clientSecret?: string;
  tokenLifetimeSeconds?: number;
  /** Use the pre-July-2026 401 messages instead of "Missing/invalid/expired access token". */
  legacy401Messages?: boolean;
  /** Latency of token and search answers (default none). */
  latency?: Latency | null;
  now?: () => number;
  /** Source of the latency draws (default Math.random); pass a seeded one to replay a run. */
  random?: () => number;
}

export interface EmulatorConfig {
  profile: Profile;
  clientId: string;
  clientSecret: string;
  tokenLifetimeSeconds: number;
  legacy401Messages: boolean;
  latency: Latency | null;
}

export interface ConfigPatch {
  profile?: Profile;
  tokenLifetimeSeconds?: number;
  latency?: Latency | null;
  clientId?: string;
  clientSecret?: string;
}

export interface PendingFault {
  fault: Fault;
  /** Requests left; Infinity = until cleared. */
  remaining: number;
}

export interface Emulator {
  readonly url: string;
  readonly accountsUrl: string;
  readonly apiUrl: string;
  readonly adminUrl: string;
  readonly port: number;
  /** Live list, in arrival order; admin requests are not recorded. */
  readonly requests: readonly RecordedRequest[];
  count(endpoint?: RecordedEndpoint): number;
  /** Queue a fault for the next `times` requests (FIFO); Infinity or -1 = until cleared. */
  fault(endpoint: FaultEndpoint, fault: Fault, times?: number): void;
  clearFaults(endpoint?: FaultEndpoint): void;
  pendingFaults(endpoint: FaultEndpoint): readonly PendingFault[];
  revokeTokens(): void;
  /** Mint a valid token without HTTP (not recorded). */
  issueToken(): string;
  setRateLimit(limit: RateLimit | null): void;
  setQuota(quota: Quota | null): void;
  setTokenLifetime(seconds: number): void;
  setProfile(profile: Profile): void;
  setClient(clientId: string, clientSecret: string): void;
  configure(patch: ConfigPatch): void;
  readonly config: Readonly<EmulatorConfig>;
  /** Clear faults, rate limit, quota and recording; restore the start options. Tokens stay valid. */
  reset(): void;
  close(): Promise<void>;
}

/** A fully formed HTTP answer. */
export interface Reply {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** What the server should do with a request. */
export type Action =
  | { type: "reply"; reply: Reply }
  | { type: "reset" }
  | { type: "hang" }
  | { type: "delay"; ms: number }
  | { type: "unauthorized" };

/** The parts of a request the endpoint logic reads. */
export interface IncomingCall {
  method: string;
  url: URL;
  headers: Record<string, string>;
  body: string;
}
