/**
 * The fleet's containers (infra/local/container.ts) as Lambda routes to them, and what the
 * simulation reads from an answer.
 */
import type { Container, Invocation } from "../../local/container.ts";

/** What the callers and the report read from one invocation. */
export interface Answer {
  /** The API status, 0 when the invocation failed (see `error`). */
  statusCode: number;
  retryAfter: string | undefined;
  bodyBytes: number;
  /** The handler's duration inside the container (what Lambda bills). */
  durationMs: number;
  error: string | undefined;
}

export function answerOf(invocation: Invocation): Answer {
  const result = (invocation.result ?? {}) as {
    statusCode?: unknown;
    headers?: Record<string, unknown>;
    body?: unknown;
  };
  const retryAfter = Object.entries(result.headers ?? {}).find(
    ([name]) => name.toLowerCase() === "retry-after",
  )?.[1];
  return {
    statusCode: typeof result.statusCode === "number" ? result.statusCode : 0,
    retryAfter: retryAfter === undefined ? undefined : String(retryAfter),
    bodyBytes: String(result.body ?? "").length,
    durationMs: invocation.durationMs,
    error: invocation.error,
  };
}

/**
 * A fixed fleet (reserved concurrency): each invocation goes to an idle container picked at
 * random, as Lambda routes to any warm sandbox; when all are busy the caller waits for the first
 * to free up (Lambda would throttle instead), and that wait counts in the caller's latency.
 */
export class ContainerPool {
  readonly #idle: Container[];
  readonly #waiters: ((container: Container) => void)[] = [];
  readonly #random: () => number;

  constructor(
    readonly containers: readonly Container[],
    random: () => number,
  ) {
    this.#idle = [...containers];
    this.#random = random;
  }

  async invoke(event: unknown, timeoutMs: number): Promise<Answer & { queuedMs: number }> {
    const queuedAt = performance.now();
    const container = await this.#acquire();
    const queuedMs = performance.now() - queuedAt;
    try {
      return { ...answerOf(await container.invoke(event, timeoutMs)), queuedMs };
    } finally {
      this.#release(container);
    }
  }

  #acquire(): Promise<Container> {
    if (this.#idle.length > 0) {
      const index = Math.floor(this.#random() * this.#idle.length);
      const [container] = this.#idle.splice(index, 1);
      if (container !== undefined) return Promise.resolve(container);
    }
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  #release(container: Container): void {
    if (!container.alive) return;
    const waiter = this.#waiters.shift();
    if (waiter !== undefined) waiter(container);
    else this.#idle.push(container);
  }
}
