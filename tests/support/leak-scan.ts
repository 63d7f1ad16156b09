import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";

export const CAPTURE_DIR = resolve(import.meta.dirname, "../../.build/test-output");

/** Credentials every test uses; they must never show up in any output. */
export const TEST_CLIENT_ID = "test-client-id-4d1f";
export const TEST_CLIENT_SECRET = "test-client-secret-9b7e2c";

/** What must never be printed: the secret, its Basic header, and Spotify-style tokens. */
export function leakPatterns(): { name: string; pattern: RegExp }[] {
  const basic = Buffer.from(`${TEST_CLIENT_ID}:${TEST_CLIENT_SECRET}`).toString("base64");
  return [
    { name: "client secret", pattern: new RegExp(TEST_CLIENT_SECRET) },
    { name: "rotated client secret", pattern: /rotated-secret-[0-9a-f]{6}/ },
    { name: "Basic header", pattern: new RegExp(basic.replace(/[+/=]/g, "\\$&")) },
    { name: "access token", pattern: /BQ[A-Za-z0-9_-]{40,}/ },
  ];
}

/** Lists every leak in `text` as "<name>: <where>". */
export function findLeaks(text: string, where: string): string[] {
  return leakPatterns()
    .filter(({ pattern }) => pattern.test(text))
    .map(({ name }) => `${name} in ${where}`);
}

export function scanCapturedOutput(dir = CAPTURE_DIR): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((file) => findLeaks(readFileSync(join(dir, file), "utf8"), file));
}
