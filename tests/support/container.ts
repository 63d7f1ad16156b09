import { vi } from "vitest";

type Handler<E, R> = (event: E, context: import("aws-lambda").Context) => Promise<R>;

/**
 * A fresh Lambda container: the environment set as the template would, and the handler module
 * imported anew, so module-scope state (clients, secret, token, cooldown) starts cold.
 */
export async function coldSearchHandler(env: Record<string, string>) {
  Object.assign(process.env, env);
  vi.resetModules();
  const module = await import("../../handlers/search.ts");
  return module.handler as Handler<unknown, Awaited<ReturnType<typeof module.handler>>>;
}

export async function coldScheduledHandler(env: Record<string, string>) {
  Object.assign(process.env, env);
  vi.resetModules();
  const module = await import("../../handlers/scheduled.ts");
  return module.handler as Handler<unknown, Awaited<ReturnType<typeof module.handler>>>;
}
