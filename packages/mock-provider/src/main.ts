/**
 * Entry point: `node src/main.ts` serves the mock provider on MOCK_PROVIDER_HOST:MOCK_PROVIDER_PORT
 * (default 127.0.0.1:8090) until SIGINT or SIGTERM.
 */
import { isIP } from "node:net";
import { EnvError, envPort, parseEnvironment } from "@switchyard/core/env";
import { z } from "zod";
import { createMockProvider } from "./server.ts";

function fail(message: string): never {
  process.stderr.write(`mock provider: ${message}\n`);
  process.exit(1);
}

const hostname =
  /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*$/;

/** The environment, read and checked once with the shared parser; an empty variable counts as unset. */
const MockProviderEnvShape = {
  MOCK_PROVIDER_PORT: envPort(8090),
  MOCK_PROVIDER_HOST: z
    .string()
    .refine((host) => isIP(host) !== 0 || hostname.test(host), {
      error: "must be an IP address or a host name, e.g. 127.0.0.1",
    })
    .default("127.0.0.1"),
};

function readEnv(env: NodeJS.ProcessEnv): { port: number; host: string } {
  try {
    const parsed = parseEnvironment({
      service: "the mock provider",
      shape: MockProviderEnvShape,
      source: env,
    });
    return { port: parsed.MOCK_PROVIDER_PORT, host: parsed.MOCK_PROVIDER_HOST };
  } catch (error) {
    if (error instanceof EnvError) fail(error.message);
    throw error;
  }
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
