import type { Context } from "aws-lambda";
import { vi } from "vitest";

type Handler<R> = (event: unknown, context: Context) => Promise<R>;

const baseline = { ...process.env };

/** Gives the process exactly the baseline environment plus `env`, as a new container would see. */
function setEnvironment(env: Record<string, string>): void {
  for (const name of Object.keys(process.env)) if (!(name in baseline)) delete process.env[name];
  Object.assign(process.env, baseline, env);
}

/**
 * A fresh Lambda container: the environment set as the template would, and the handler module
 * imported anew, so module-scope state (clients, secret, token, cooldown) starts cold.
 */
export async function coldSearchHandler(env: Record<string, string>) {
  setEnvironment(env);
  vi.resetModules();
  const module = await import("../../handlers/search.ts");
  return module.handler as Handler<Awaited<ReturnType<typeof module.handler>>>;
}

export async function coldScheduledHandler(env: Record<string, string>) {
  setEnvironment(env);
  vi.resetModules();
  const module = await import("../../handlers/scheduled.ts");
  return module.handler as Handler<Awaited<ReturnType<typeof module.handler>>>;
}
