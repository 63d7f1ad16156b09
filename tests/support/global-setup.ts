import { mkdirSync, rmSync } from "node:fs";
import type { TestProject } from "vitest/node";
import { type MotoServer, startMoto } from "../../infra/local/moto.ts";
import { CAPTURE_DIR, scanCapturedOutput } from "./leak-scan.ts";

declare module "vitest" {
  export interface ProvidedContext {
    motoEndpoint: string;
  }
}

let moto: MotoServer | undefined;

/** One moto server for the whole suite; each test file uses its own resource names. */
export async function setup(project: TestProject): Promise<void> {
  rmSync(CAPTURE_DIR, { recursive: true, force: true });
  mkdirSync(CAPTURE_DIR, { recursive: true });
  moto = await startMoto();
  project.provide("motoEndpoint", moto.endpoint);
}

/** Stops moto by its PID, then fails the run if any captured output holds a secret or token. */
export async function teardown(): Promise<void> {
  await moto?.stop();
  const leaks = scanCapturedOutput();
  if (leaks.length > 0) {
    throw new Error(`Secrets leaked into test output:\n${leaks.join("\n")}`);
  }
}
