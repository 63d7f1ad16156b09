import type { Clock } from "../clock.ts";
import type { Deadline } from "../deadline.ts";
import { MIN_ATTEMPT_MS } from "../spotify/policy.ts";
import type { Pacer, PacerTurn } from "../spotify/spotify-caller.ts";

/** Why the pacer let no more requests go. */
export type PacingStopReason = "request-cap" | "deadline";

/** No more requests in this run: the cap is reached, or the next turn comes too late. */
export class PacingStop extends Error {
  override name = "PacingStop";
  constructor(readonly reason: PacingStopReason) {
    super(
      reason === "request-cap"
        ? "The run has sent its maximum number of requests"
        : "The next request's turn comes too close to the deadline",
    );
  }
}

export interface RequestPacerSettings {
  /** At most this many requests start in any second: they go at least 1000 / n ms apart. */
  requestsPerSecond: number;
  /** Requests (every attempt, retries included) one run may send. */
  maxRequests: number;
}

/** Bound on re-checks after a sleep (a timer may fire a millisecond early). */
const MAX_WAITS = 5;

/**
 * Paces one batch run's requests to Spotify, so the batch leaves room in the app's rate window
 * for the API. One request holds the turn from `acquire()` until it is sent (or gives up), so
 * the spacing holds between the moments requests actually leave, whatever the concurrency, and
 * the count never overshoots the cap.
 */
export class RequestPacer implements Pacer {
  private sent = 0;
  private lastSentAt: number | undefined;
  private tail: Promise<void> = Promise.resolve();
  private readonly intervalMs: number;

  constructor(
    private readonly clock: Clock,
    private readonly settings: RequestPacerSettings,
  ) {
    this.intervalMs = 1000 / settings.requestsPerSecond;
  }

  /** Requests sent so far. */
  get requests(): number {
    return this.sent;
  }

  get exhausted(): boolean {
    return this.sent >= this.settings.maxRequests;
  }

  async acquire(deadline: Deadline): Promise<PacerTurn> {
    const previous = this.tail;
    let pass = () => {};
    this.tail = new Promise<void>((resolve) => {
      pass = resolve;
    });
    await previous;
    try {
      await this.waitForTurn(deadline);
    } catch (error) {
      pass();
      throw error;
    }
    let over = false;
    return {
      sent: () => {
        if (over) return;
        over = true;
        this.sent++;
        this.lastSentAt = this.clock.now();
        pass();
      },
      release: () => {
        if (over) return;
        over = true;
        pass();
      },
    };
  }

  private async waitForTurn(deadline: Deadline): Promise<void> {
    if (this.exhausted) throw new PacingStop("request-cap");
    if (this.lastSentAt === undefined) return;
    for (let wait = 0; wait < MAX_WAITS; wait++) {
      const ms = Math.ceil(this.lastSentAt + this.intervalMs - this.clock.now());
      if (ms <= 0) return;
      // Never sleep past the deadline: a turn that leaves no time for the attempt ends the run.
      if (!deadline.allows(ms, MIN_ATTEMPT_MS)) throw new PacingStop("deadline");
      await this.clock.sleep(ms);
    }
  }
}
