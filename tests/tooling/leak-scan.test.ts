import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  findLeaks,
  scanCapturedOutput,
  TEST_CLIENT_ID,
  TEST_CLIENT_SECRET,
} from "../support/leak-scan.ts";

describe("the suite-wide leak scan can fail", () => {
  const basic = Buffer.from(`${TEST_CLIENT_ID}:${TEST_CLIENT_SECRET}`).toString("base64");

  it.each([
    ["the client secret", `{"message":"oops","secret":"${TEST_CLIENT_SECRET}"}`, "client secret"],
    ["the Basic header", `authorization: Basic ${basic}`, "Basic header"],
    ["an access token", `{"token":"BQ${"x".repeat(64)}"}`, "access token"],
  ])("finds %s in captured output", (_name, line, kind) => {
    const dir = mkdtempSync(join(tmpdir(), "leak-scan-"));
    writeFileSync(join(dir, "worker-1.log"), `{"level":"INFO"}\n${line}\n`);

    expect(scanCapturedOutput(dir)).toEqual([`${kind} in worker-1.log`]);
  });

  it("passes clean output", () => {
    expect(findLeaks('{"level":"INFO","message":"Fetched a Spotify access token"}', "x")).toEqual(
      [],
    );
  });
});
