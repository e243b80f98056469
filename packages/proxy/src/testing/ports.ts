/** Loopback ports for this package's tests. */
import { createServer } from "node:net";

/**
 * A port on 127.0.0.1 that nothing listens on right now: free to listen on, or, left alone, one
 * that refuses connections ("control plane down", "provider refused the connection").
 */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
