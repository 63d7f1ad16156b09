/**
 * Container-wide memory of Spotify's last `Retry-After`: while it runs, nothing in this container
 * calls Spotify, whichever request or invocation asks.
 */
export class Cooldown {
  private until = 0;
  private reason: string | undefined;

  /** Extends (never shortens) the cooldown to `untilMs`. */
  extend(untilMs: number, reason?: string): void {
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
}
