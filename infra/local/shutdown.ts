/**
 * How `npm start` ends, however it is stopped. SIGINT, SIGTERM or SIGHUP to this process, or its
 * parent (npm) going away for any reason (a signal npm does not pass on, SIGKILL), runs every
 * cleanup once (moto and the emulator are stopped by their PIDs) and exits. A process started
 * while a signal arrives is still stopped: cleanups of work in progress run once it is there.
 */
export interface Shutdown {
  /** Awaits `starting`; its cleanup runs on shutdown, even when the signal came meanwhile. */
  during<T>(starting: Promise<T>, cleanup: (value: T) => Promise<void> | void): Promise<T>;
  add(cleanup: () => Promise<void> | void): void;
  stop(code: number): Promise<void>;
}

export const EXIT_SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"] as const;
const PARENT_POLL_MS = 250;

export function exitOnSignals(log: (line: string) => void = () => {}): Shutdown {
  const cleanups: (() => Promise<void> | void)[] = [];
  const pending = new Set<Promise<unknown>>();
  let stopping: Promise<void> | undefined;

  const stop = (code: number): Promise<void> => {
    stopping ??= (async () => {
      await Promise.allSettled([...pending]);
      for (const cleanup of cleanups.reverse()) {
        try {
          await cleanup();
        } catch (error) {
          log(`cleanup failed: ${(error as Error).message}`);
        }
      }
      process.exit(code);
    })();
    return stopping;
  };

  for (const signal of EXIT_SIGNALS) {
    process.on(signal, () => {
      log(`${signal}: stopping`);
      void stop(0);
    });
  }
  // npm passes SIGINT and SIGTERM on, but not every signal, and nothing survives SIGKILL: when
  // the parent is gone, this process is an orphan and stops on its own.
  const parent = process.ppid;
  setInterval(() => {
    if (process.ppid !== parent) {
      log("the parent process is gone: stopping");
      void stop(0);
    }
  }, PARENT_POLL_MS).unref();

  return {
    during: (starting, cleanup) => {
      const registered = starting.then((value) => {
        cleanups.push(() => cleanup(value));
        return value;
      });
      pending.add(registered);
      void registered.finally(() => pending.delete(registered)).catch(() => undefined);
      // Stopping already: the caller goes no further (the process exits after the cleanups).
      return registered.then((value) => (stopping ? new Promise<never>(() => {}) : value));
    },
    add: (cleanup) => {
      cleanups.push(cleanup);
    },
    stop,
  };
}
