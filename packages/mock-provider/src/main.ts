/**
 * Entry point: `node src/main.ts` serves the mock provider on MOCK_PROVIDER_HOST:MOCK_PROVIDER_PORT
 * (default 127.0.0.1:8090) until SIGINT or SIGTERM.
 */
import { isIP } from "node:net";
import { createMockProvider } from "./server.ts";

function fail(message: string): never {
  process.stderr.write(`mock provider: ${message}\n`);
  process.exit(1);
}

/** The environment, read and checked once; an empty variable counts as unset. */
function readEnv(env: NodeJS.ProcessEnv): { port: number; host: string } {
  const portText = env.MOCK_PROVIDER_PORT || "8090";
  const port = Number(portText);
  if (!/^\d{1,5}$/.test(portText) || port > 65535) {
    fail(`invalid MOCK_PROVIDER_PORT ${JSON.stringify(portText)}: expected an integer from 0 to 65535`);
  }
  const host = env.MOCK_PROVIDER_HOST || "127.0.0.1";
  const hostname =
    /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*$/;
  if (isIP(host) === 0 && !hostname.test(host)) {
    fail(`invalid MOCK_PROVIDER_HOST ${JSON.stringify(host)}: expected an IP address or a host name`);
  }
  return { port, host };
}

const { port, host } = readEnv(process.env);
const provider = createMockProvider();
try {
  const { url } = await provider.listen(port, host);
  process.stdout.write(`mock provider listening on ${url}\n`);
} catch (error) {
  fail(`cannot listen on ${host}:${port}: ${error instanceof Error ? error.message : String(error)}`);
}

let stopping = false;
function stop(): void {
  // A second signal while closing means "now".
  if (stopping) process.exit(1);
  stopping = true;
  provider.close().then(
    () => process.exit(0),
    (error: unknown) => fail(`error while closing: ${String(error)}`),
  );
}
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
