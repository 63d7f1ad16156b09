import type { Clock } from "./clock.ts";

/** API Gateway's integration timeout is a fixed 30 s; keep a second for the answer to travel back. */
export const API_GATEWAY_BUDGET_MS = 29_000;

/**
 * The moment by which the service must have its answer ready: the Lambda deadline (or API
 * Gateway's, whichever is first) minus a safety margin. Every wait and attempt is cut to fit it.
 */
export class Deadline {
  constructor(
    readonly at: number,
    private readonly clock: Clock,
  ) {}

  static fromRemaining(
    remainingMs: number,
    clock: Clock,
    options: { marginMs: number; capMs?: number },
  ): Deadline {
    const budget = Math.min(remainingMs, options.capMs ?? Number.POSITIVE_INFINITY);
    return new Deadline(clock.now() + budget - options.marginMs, clock);
  }

  remainingMs(): number {
    return Math.max(0, this.at - this.clock.now());
  }

  /** An abort signal that fires at the deadline (at least 1 ms from now). */
  signal(): AbortSignal {
    return AbortSignal.timeout(Math.max(1, this.remainingMs()));
  }

  /** True when `ms` of waiting still leaves `reserveMs` before the deadline. */
  allows(ms: number, reserveMs = 0): boolean {
    return this.remainingMs() - ms >= reserveMs;
  }
}
