import { type Clock, systemClock } from "../clock.ts";
import type { RetrySettings } from "../config.ts";
import type { Deadline } from "../deadline.ts";
import { UpstreamError } from "../errors.ts";
import type { Log, MetricsSink } from "../observability/types.ts";
import { asRecord } from "../records.ts";
import type { Cooldown } from "./cooldown.ts";
import type { FleetCooldown, ProbeLease } from "./fleet-cooldown.ts";
import type { Transport, TransportRequest } from "./http-transport.ts";
import {
  type AttemptHistory,
  decide,
  decideCooldown,
  MIN_ATTEMPT_MS,
  type Outcome,
} from "./policy.ts";

export type Endpoint = "token" | "search";

export type UpstreamRequest = TransportRequest;

/** Spaces and counts requests (the batch's); one holds the turn until it is sent or gives up. */
export interface Pacer {
  acquire(deadline: Deadline): Promise<PacerTurn>;
}

export interface PacerTurn {
  /** The request leaves now: counted, and the next one's wait starts. */
  sent(): void;
  /** The request was not sent (cooldown answer, no time left): the next may go. */
  release(): void;
}

export interface CallOptions {
  endpoint: Endpoint;
  deadline: Deadline;
  /** Paces every attempt of this call, retries included. */
  pacer?: Pacer;
  /** Builds each attempt afresh, so a retry after a 401 carries the new token. */
  build: () => Promise<UpstreamRequest>;
  /** Called on a 401 before the single retry; when absent, a 401 is delivered to the caller. */
  onUnauthorized?: () => void;
  /**
   * Longest rate-limit wait for this call, below the settings' (0: a 429 or a running cooldown
   * fails at once, for a caller with a stale answer in hand).
   */
  maxRetryAfterMs?: number;
}

interface ProbeTurn {
  end: () => void;
  lease: ProbeLease | undefined;
}

export interface Delivered {
  status: number;
  body: unknown;
  /** The body exactly as Spotify sent it. */
  text: string;
}

export interface SpotifyCallerDeps {
  transport: Transport;
  clock: Clock;
  random: () => number;
  settings: RetrySettings;
  cooldown: Cooldown;
  /** The fleet's shared cooldown; absent, this container's own cooldown is all there is. */
  fleet?: FleetCooldown;
  log: Log;
  metrics: MetricsSink;
}

/** Runs one logical Spotify request: cooldown, attempts with timeouts, and the policy's retries. */
export class SpotifyCaller {
  constructor(private readonly deps: SpotifyCallerDeps) {}

  async call(options: CallOptions): Promise<Delivered> {
    const { clock, log } = this.deps;
    const settings = this.settingsFor(options);
    const history: AttemptHistory = {
      faults: 0,
      rateLimited: 0,
      unauthorized: 0,
      canRefreshToken: options.onUnauthorized !== undefined,
    };
    for (let attempt = 1; ; attempt++) {
      // The pacer's turn first: held until the request leaves, so spacing counts real sends.
      const turn = await options.pacer?.acquire(options.deadline);
      let outcome: Outcome;
      let probe: ProbeTurn | undefined;
      try {
        // Built before the cooldown gate, so nothing is awaited between passing it and sending.
        const request = await options.build();
        await this.deps.fleet?.refresh(options.deadline);
        probe = await this.waitForCooldown(options);
        try {
          if (!options.deadline.allows(0, MIN_ATTEMPT_MS)) {
            throw new UpstreamError(504, "No time left to call Spotify before the deadline");
          }
          turn?.sent();
          outcome = await this.attempt(request, options.deadline);
        } finally {
          // Waiters wake only after the cooldown below is extended: nothing awaits in between.
          probe?.end();
        }
      } finally {
        turn?.release();
      }
      // Only a search answered by a healthy Spotify ends the probe phase (a token request spends
      // another budget and says nothing of the search's); a 5xx keeps the others waiting.
      if (
        options.endpoint === "search" &&
        outcome.kind === "response" &&
        outcome.status < 500 &&
        outcome.status !== 429
      ) {
        this.deps.cooldown.recordSuccess();
        if (probe?.lease) await this.deps.fleet?.settle(probe.lease, options.deadline);
      }
      const now = clock.now();
      const { decision, cooldown } = decide({
        outcome,
        history,
        settings,
        deadline: options.deadline,
        now,
        random: this.deps.random,
      });
      if (cooldown?.clampedFromMs !== undefined) {
        log.warn("Spotify's Retry-After is longer than the longest cooldown; cut to it", {
          endpoint: options.endpoint,
          retryAfterSeconds: Math.ceil(cooldown.clampedFromMs / 1000),
          cooldownSeconds: Math.ceil(cooldown.ms / 1000),
        });
      }
      if (cooldown) {
        this.deps.cooldown.extend(now + cooldown.ms, cooldown.reason);
        await this.deps.fleet?.announce(now + cooldown.ms, cooldown.reason, options.deadline);
      }
      if (decision.action === "deliver") {
        const text = outcome.kind === "response" ? outcome.text : "";
        return { status: decision.status, body: decision.body, text };
      }
      if (decision.action === "fail") {
        log.warn("Upstream call failed", {
          endpoint: options.endpoint,
          attempt,
          status: decision.error.status,
          reason: describe(outcome),
          retryAfterSeconds: decision.error.retryAfterSeconds,
        });
        throw decision.error;
      }
      if (decision.reason === "rate-limited") history.rateLimited++;
      else if (decision.reason === "unauthorized") history.unauthorized++;
      else history.faults++;
      log.info("Retrying upstream call", {
        endpoint: options.endpoint,
        attempt,
        reason: decision.reason,
        delayMs: decision.delayMs,
        upstream: describe(outcome),
      });
      this.deps.metrics.count("UpstreamRetries", 1, { reason: decision.reason });
      if (decision.reason === "unauthorized") options.onUnauthorized?.();
      // A 429's wait is the cooldown itself, served by waitForCooldown on the next pass.
      if (decision.reason !== "rate-limited" && decision.delayMs > 0) {
        await clock.sleep(decision.delayMs);
      }
    }
  }

  /**
   * This container's first request after a window goes first (the probe) and, with a fleet, also
   * waits its turn among the containers; the returned lease marks the fleet's probe.
   */
  private async startProbe(deadline: Deadline): Promise<ProbeTurn | undefined> {
    const end = this.deps.cooldown.startProbe();
    if (!end) return undefined;
    try {
      return { end, lease: await this.deps.fleet?.beforeProbe(deadline) };
    } catch (error) {
      end();
      throw error;
    }
  }

  private settingsFor(options: CallOptions): RetrySettings {
    const { settings } = this.deps;
    if (options.maxRetryAfterMs === undefined) return settings;
    return {
      ...settings,
      maxRetryAfterMs: Math.min(settings.maxRetryAfterMs, options.maxRetryAfterMs),
    };
  }

  /**
   * Waits out the cooldown (or fails); returns the probe's turn when this call is the probe. Only a
   * search probes: a token request goes once the window is over, without waiting for the probe.
   */
  private async waitForCooldown(options: CallOptions): Promise<ProbeTurn | undefined> {
    const { clock, cooldown, log } = this.deps;
    const settings = this.settingsFor(options);
    // Each pass proceeds, fails, or sleeps until the cooldown or the probe it saw is over.
    for (;;) {
      const now = clock.now();
      const remaining = cooldown.remainingMs(now);
      const step = decideCooldown(remaining, cooldown.reasonAt(now), settings, options.deadline);
      if (step.action === "fail") {
        this.deps.metrics.count("CooldownRejections");
        log.info("Answering from the rate-limit cooldown without calling Spotify", {
          endpoint: options.endpoint,
          retryAfterSeconds: step.error.retryAfterSeconds,
          reason: step.error.reason,
        });
        throw step.error;
      }
      if (step.action === "wait") {
        log.info("Waiting out the rate-limit cooldown", {
          endpoint: options.endpoint,
          delayMs: step.ms,
        });
        await clock.sleep(step.ms);
        continue;
      }
      if (options.endpoint !== "search") return undefined;
      const probe = cooldown.probeInFlight();
      if (probe === undefined) {
        const turn = await this.startProbe(options.deadline);
        // The fleet knew of a newer window: this container's cooldown now holds it; go round.
        if (turn && cooldown.remainingMs(clock.now()) > 0) {
          turn.end();
          continue;
        }
        return turn;
      }
      const waitMs = options.deadline.remainingMs() - MIN_ATTEMPT_MS;
      if (waitMs <= 0)
        throw new UpstreamError(504, "No time left to call Spotify before the deadline");
      // A real timer bounds the wait: the probe's own attempt timeout ends it long before.
      const timeout = new AbortController();
      await Promise.race([probe, systemClock.sleep(waitMs, timeout.signal).catch(() => undefined)]);
      timeout.abort();
    }
  }

  private async attempt(request: UpstreamRequest, deadline: Deadline): Promise<Outcome> {
    const { clock, settings } = this.deps;
    const started = clock.now();
    try {
      return await this.deps.transport(
        request,
        Math.min(settings.attemptTimeoutMs, deadline.remainingMs()),
      );
    } finally {
      this.deps.metrics.milliseconds("UpstreamLatency", clock.now() - started);
    }
  }
}

function describe(outcome: Outcome): string {
  if (outcome.kind === "response") return `HTTP ${outcome.status}`;
  if (outcome.kind === "timeout") return "timeout";
  if (outcome.kind === "too-large")
    return `HTTP ${outcome.status}, body over ${outcome.limitBytes} bytes`;
  const code = asRecord(outcome.error).code;
  return typeof code === "string" ? `network ${code}` : "network error";
}
