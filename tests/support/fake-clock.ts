import type { Clock } from "../../lib/clock.ts";

/** A clock that only moves when told to or when something sleeps: long waits cost no real time. */
export class FakeClock implements Clock {
  readonly sleeps: number[] = [];
  constructor(private time = Date.UTC(2026, 10, 26, 12)) {}

  now = (): number => this.time;

  advance(ms: number): void {
    this.time += ms;
  }

  sleep = async (ms: number, signal?: AbortSignal): Promise<void> => {
    if (signal?.aborted) throw signal.reason;
    this.sleeps.push(ms);
    this.time += ms;
  };
}
