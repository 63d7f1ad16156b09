/**
 * Container-wide memory of Spotify's last `Retry-After`: while it runs, nothing in this container
 * calls Spotify, whichever request or invocation asks. When it ends, one request goes first (the
 * probe) and the others wait for its answer, so a batch does not stampede into a fresh 429.
 */
export class Cooldown {
  private until = 0;
  private reason: string | undefined;
  private limited = false;
  private probe: Promise<void> | undefined;

  /** Extends (never shortens) the cooldown to `untilMs`. */
  extend(untilMs: number, reason?: string): void {
    this.limited = true;
    if (untilMs > this.until) {
      this.until = untilMs;
      this.reason = reason;
    } else if (reason && untilMs === this.until) {
      this.reason = reason;
    }
  }

  remainingMs(now: number): number {
    return Math.max(0, this.until - now);
  }

  /** Spotify's reason for the running cooldown (e.g. QUOTA_EXCEEDED), if it gave one. */
  reasonAt(now: number): string | undefined {
    return this.remainingMs(now) > 0 ? this.reason : undefined;
  }

  /** The probe other callers wait for, while one is out after a cooldown. */
  probeInFlight(): Promise<void> | undefined {
    return this.probe;
  }

  /**
   * After a cooldown ends, makes the caller the probe and returns the function that ends the probe;
   * returns undefined when no probe is needed.
   */
  startProbe(): (() => void) | undefined {
    if (!this.limited || this.probe) return undefined;
    let done = () => {};
    this.probe = new Promise<void>((resolve) => {
      done = resolve;
    });
    return () => {
      this.probe = undefined;
      done();
    };
  }

  /** Spotify answered without a 429: no probe is needed any more. */
  recordSuccess(): void {
    this.limited = false;
  }
}
