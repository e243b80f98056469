/**
 * Throw-away infrastructure for end-to-end tests: a free loopback port, a Postgres cluster of its
 * own (the project's embedded Postgres, in a temp dir) and a redis-server child process, each of
 * which a test can stop and start again on the same port and data, to simulate an outage.
 * Nothing here touches the shared Postgres or Redis.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { connect, createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { type EmbeddedPostgres, startEmbeddedPostgres } from "../../scripts/embedded-postgres.ts";

/** A TCP port free on 127.0.0.1 right now. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", resolve);
  });
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Resolves with the answer a TCP server gives to `send`, or null when it cannot be reached. */
function ask(port: number, send: string, timeoutMs: number): Promise<string | null> {
  return new Promise((resolve) => {
    const socket = connect({ port, host: "127.0.0.1" });
    let answer = "";
    const finish = (value: string | null) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(value);
    };
    const timer = setTimeout(() => finish(null), timeoutMs);
    socket.once("connect", () => socket.write(send));
    socket.on("data", (chunk: Buffer) => {
      answer += chunk.toString("utf8");
      if (answer.includes("\r\n")) finish(answer);
    });
    socket.once("error", () => finish(null));
    socket.once("close", () => finish(answer === "" ? null : answer));
  });
}

/** Whether something accepts connections on the port. */
export async function portIsOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host: "127.0.0.1" });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

/** Stops a child process: SIGTERM, then SIGKILL if it has not exited within `graceMs`. */
async function stopChild(child: ChildProcess, graceMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
  await exited;
  clearTimeout(timer);
}

export type RedisServer = {
  readonly url: string;
  readonly port: number;
  /** Starts redis-server on the port (again, after stop()); resolves once it answers PING. */
  start(): Promise<void>;
  /** Stops it (SIGTERM, SIGKILL after 3 s); a no-op when it is not running. */
  stop(): Promise<void>;
};

/**
 * A redis-server child process on a free loopback port, without persistence: a restart starts it
 * empty, as after losing a cache node. It is killed when the test process exits, whatever happens.
 */
export async function startRedisServer(): Promise<RedisServer> {
  const port = await freePort();
  let child: ChildProcess | null = null;
  const killOnExit = () => child?.kill("SIGKILL");
  process.on("exit", killOnExit);

  const server: RedisServer = {
    url: `redis://127.0.0.1:${port}`,
    port,
    async start() {
      if (child !== null) return;
      let stderr = "";
      const spawned = spawn(
        "redis-server",
        ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        { stdio: ["ignore", "ignore", "pipe"] },
      );
      child = spawned;
      spawned.stderr?.on("data", (c: Buffer) => {
        stderr = (stderr + c.toString("utf8")).slice(-2000);
      });
      let failure: Error | null = null;
      spawned.once("error", (err) => {
        failure = new Error(`cannot run redis-server (is it installed and on PATH?): ${err.message}`);
      });
      spawned.once("exit", (code, signal) => {
        failure ??= new Error(`redis-server exited early (${code ?? signal}): ${stderr}`);
        if (child === spawned) child = null;
      });
      const deadline = Date.now() + 10_000;
      while (Date.now() < deadline) {
        if (failure !== null) throw failure;
        if ((await ask(port, "PING\r\n", 500))?.startsWith("+PONG")) return;
        await sleep(25);
      }
      await server.stop();
      throw new Error(`redis-server did not answer PING on port ${port} within 10 s: ${stderr}`);
    },
    async stop() {
      const running = child;
      if (running === null) return;
      await stopChild(running, 3000);
      child = null;
    },
  };
  try {
    await server.start();
  } catch (err) {
    process.off("exit", killOnExit);
    throw err;
  }
  return server;
}

export type ThrowawayPostgres = {
  /** The `switchyard` database on this cluster (created by createDatabaseIfMissing). */
  readonly databaseUrl: string;
  readonly port: number;
  /** Starts the cluster (again, after stop()) on the same port and data directory. */
  start(): Promise<void>;
  /** Stops the cluster (fast shutdown: open connections are cut); a no-op when it is not running. */
  stop(): Promise<void>;
  /** Stops the cluster and deletes its data directory. */
  destroy(): Promise<void>;
};

/**
 * A Postgres cluster of its own in a temp dir, on a free loopback port: the project's embedded
 * Postgres (as root it runs as the postgres user). initdb runs on the first start.
 */
export async function startThrowawayPostgres(): Promise<ThrowawayPostgres> {
  const dir = mkdtempSync(path.join(tmpdir(), "switchyard-pg-"));
  const dataDir = path.join(dir, "pg");
  const port = await freePort();
  let running: EmbeddedPostgres | null = null;
  let databaseUrl = "";

  const cluster: ThrowawayPostgres = {
    get databaseUrl() {
      return databaseUrl;
    },
    port,
    async start() {
      if (running !== null) return;
      running = await startEmbeddedPostgres({ dataDir, port, log: () => {} });
      databaseUrl = running.databaseUrl;
    },
    async stop() {
      const current = running;
      if (current === null) return;
      running = null;
      await current.stop();
    },
    async destroy() {
      await cluster.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  try {
    await cluster.start();
  } catch (err) {
    await cluster.destroy().catch(() => {});
    throw err;
  }
  return cluster;
}
