import { afterEach, beforeEach, vi } from "vitest";

/**
 * What the process writes to stdout and stderr during each test (Lambda sends both to CloudWatch;
 * Powertools writes warnings and errors to stderr): as written, and as its JSON lines.
 */
export function captureOutput(): {
  text: () => string;
  jsonLines: () => Record<string, unknown>[];
} {
  let output: string[] = [];
  beforeEach(() => {
    output = [];
    for (const stream of [process.stdout, process.stderr]) {
      const write = stream.write.bind(stream);
      vi.spyOn(stream, "write").mockImplementation(
        (chunk: string | Uint8Array, ...rest: unknown[]) => {
          output.push(typeof chunk === "string" ? chunk : Buffer.from(chunk).toString());
          return (write as (...args: unknown[]) => boolean)(chunk, ...rest);
        },
      );
    }
  });
  afterEach(() => {
    vi.restoreAllMocks();
  });
  const text = () => output.join("");
  const jsonLines = () =>
    text()
      .split("\n")
      .filter((line) => line.startsWith("{"))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  return { text, jsonLines };
}
