/** The messages between a local container (container-host.ts) and its parent (container.ts). */

/** argv[2] of the host, as JSON. */
export interface HostConfig {
  /** The function's module: a built bundle, or a TypeScript file when the host runs under tsx. */
  module: string;
  exportName: string;
  functionName: string;
  memoryMb: number;
}

export type HostRequest =
  | { type: "invoke"; id: number; event: unknown; timeoutMs: number }
  /** A bare `fetch` of `url` timed inside the container: what any implementation must spend. */
  | { type: "fetch"; id: number; url: string; headers: Record<string, string> };

/** Times are `performance.now()` in the container: ms since its process started. */
export type HostReply =
  | { type: "ready"; timeOrigin: number; initMs: number; importMs: number }
  | { type: "init-error"; error: string }
  | {
      type: "done";
      id: number;
      start: number;
      end: number;
      result?: unknown;
      /** The thrown error's name (or `busy`), and its message. */
      error?: string;
      detail?: string;
    }
  | { type: "fetched"; id: number; ms: number; status: number; error?: string };
