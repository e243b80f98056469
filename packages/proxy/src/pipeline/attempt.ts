/**
 * The attempt stage: one upstream call of the selected deployment with its timeouts, the client's
 * departure aborting it, and every way it can fail turned into the proxy's own error. Retries and
 * fallbacks to other deployments belong here and nowhere else.
 */
import type { ServerResponse } from "node:http";
import { AppError } from "@switchyard/core";
import type { Dispatcher } from "undici";
import type { CompiledDeployment } from "../config/compile.ts";
import { ClientGoneError } from "../http/body.ts";
import type { ProxyDeps } from "../http/context.ts";
import { sendUpstream } from "../providers/upstream.ts";
import type { ModelCall } from "./types.ts";

/**
 * One upstream attempt's abort wiring: the client going away, or our own first-byte and total
 * timers, abort it, and say which did. Our own timers, not only undici's headersTimeout: undici's
 * run on a ~0.5 s tick, too coarse for a first-byte budget of a few hundred ms. `totalMs` bounds
 * streams too.
 */
export class Attempt {
  clientGone = false;
  timedOut: "firstByte" | "total" | null = null;
  private readonly controller = new AbortController();
  private readonly deadline: NodeJS.Timeout;
  private firstByte: NodeJS.Timeout | undefined;

  constructor(res: ServerResponse, timeouts: { firstByteMs: number; totalMs: number }) {
    res.once("close", () => {
      if (res.writableEnded) return;
      this.clientGone = true;
      this.controller.abort();
    });
    this.deadline = setTimeout(() => {
      this.timedOut = "total";
      this.controller.abort();
    }, timeouts.totalMs);
    if (timeouts.firstByteMs < timeouts.totalMs) {
      this.firstByte = setTimeout(() => {
        this.timedOut = "firstByte";
        this.controller.abort();
      }, timeouts.firstByteMs);
    }
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** The upstream's answer began (or the request failed): the first-byte budget no longer applies. */
  started(): void {
    clearTimeout(this.firstByte);
  }

  /** What to throw for an attempt that failed: the client left, the proxy's own error, or the upstream's. */
  failure(err: unknown, deployment: CompiledDeployment): Error {
    if (this.clientGone) return new ClientGoneError();
    return err instanceof AppError ? err : upstreamFailure(err, this, deployment);
  }

  /** The attempt is over: neither timer may fire any more. */
  finished(): void {
    clearTimeout(this.firstByte);
    clearTimeout(this.deadline);
  }
}

/**
 * Sends the call's upstream request to its deployment and answers the upstream's response head
 * with the running attempt (whose timers still bound the body). Throws what the client should get
 * when no response came.
 */
export async function attemptUpstream(
  call: ModelCall,
  deps: ProxyDeps,
  deployment: CompiledDeployment,
  path: string,
  body: string,
): Promise<{ upstream: Dispatcher.ResponseData; attempt: Attempt }> {
  const attempt = new Attempt(call.ctx.res, deployment.timeouts);
  try {
    // Retried once with the provider's fallback credential if the primary one gets a 401.
    const upstream = await sendUpstream(
      deps,
      { deployment, path, body, requestId: call.ctx.requestId, signal: attempt.signal },
      call,
    );
    attempt.started();
    return { upstream, attempt };
  } catch (err) {
    attempt.finished();
    throw attempt.failure(err, deployment);
  }
}

/** An error from undici (or our own deadline) as the answer the client gets. */
export function upstreamFailure(err: unknown, attempt: Attempt, deployment: CompiledDeployment): AppError {
  const name = deployment.provider.name;
  const { connectMs, firstByteMs, totalMs } = deployment.timeouts;
  if (attempt.timedOut === "total") {
    return new AppError(
      "upstream_timeout",
      `The upstream provider '${name}' did not finish within ${totalMs} ms.`,
      {
        cause: err,
      },
    );
  }
  const code =
    attempt.timedOut === "firstByte" ? "UND_ERR_HEADERS_TIMEOUT" : (err as { code?: unknown } | null)?.code;
  switch (code) {
    case "UND_ERR_HEADERS_TIMEOUT":
      return new AppError(
        "upstream_timeout",
        `The upstream provider '${name}' did not start answering within ${firstByteMs} ms.`,
        { cause: err },
      );
    case "UND_ERR_BODY_TIMEOUT":
      return new AppError("upstream_timeout", `The upstream provider '${name}' stalled while answering.`, {
        cause: err,
      });
    case "UND_ERR_CONNECT_TIMEOUT":
      return new AppError(
        "upstream_timeout",
        `Could not connect to the upstream provider '${name}' within ${connectMs} ms.`,
        { cause: err },
      );
    case "ECONNREFUSED":
      return new AppError("upstream_error", `The upstream provider '${name}' refused the connection.`, {
        cause: err,
      });
    default:
      return new AppError(
        "upstream_error",
        `The request to the upstream provider '${name}' failed (${typeof code === "string" ? code : "connection error"}).`,
        { cause: err },
      );
  }
}
