import { appendFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { CAPTURE_DIR } from "./leak-scan.ts";

/**
 * Copies everything this test worker writes to stdout/stderr (the function's JSON logs and EMF
 * metrics) into a capture file, so the suite's teardown can scan the whole run's output for leaked
 * secrets and tokens. The terminal gets it too only with TEST_VERBOSE=1, to keep CI logs readable.
 */
const verbose = process.env.TEST_VERBOSE === "1";
const file = join(CAPTURE_DIR, `worker-${process.pid}.log`);
mkdirSync(CAPTURE_DIR, { recursive: true });

for (const stream of [process.stdout, process.stderr]) {
  const original = stream.write.bind(stream) as (...args: unknown[]) => boolean;
  if ((stream.write as { captured?: boolean }).captured) continue;
  const write = (chunk: unknown, ...rest: unknown[]) => {
    appendFileSync(file, typeof chunk === "string" ? chunk : Buffer.from(chunk as Uint8Array));
    if (verbose) return original(chunk, ...rest);
    const callback = rest.find((arg) => typeof arg === "function") as (() => void) | undefined;
    callback?.();
    return true;
  };
  (write as { captured?: boolean }).captured = true;
  stream.write = write as typeof stream.write;
}
