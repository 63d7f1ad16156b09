/**
 * A Lambda container in its own process: imports the search handler once (module scope and all),
 * then runs one invocation per IPC message, as Lambda does. Started by `startContainerProcess`.
 */
import { lambdaContext } from "../../infra/local/lambda-context.ts";

const { handler } = await import("../../handlers/search.ts");

interface Invocation {
  id: number;
  event: unknown;
  remainingMs: number;
}

process.on("message", async (message: Invocation) => {
  const result = await handler(message.event as never, lambdaContext(message.remainingMs));
  process.send?.({ id: message.id, result });
});
process.send?.({ ready: true });
