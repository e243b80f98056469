/**
 * The parts of undici the proxy uses: `Pool` (upstreams), `Agent` (control-plane calls) and their
 * `request` method, loaded without the rest of the package. undici's index also loads fetch,
 * WebSocket, EventSource, the mock agents and the HTTP caches, about 6 MB of resident memory in a
 * process whose budget under load is 120 MB (bench/README.md). The proxy calls no global `fetch`
 * either, so Node's own bundled copy of undici is never loaded beside this one.
 */
/// <reference path="./undici-lib.d.ts" />
// Referenced here, so every program that type-checks this file (other packages too) has those types.
import { type DataPlaneEndpoint, dataPlanePaths } from "@switchyard/core";
import type * as Undici from "undici";
import api from "undici/lib/api/index.js";
import AgentClass from "undici/lib/dispatcher/agent.js";
import DispatcherClass from "undici/lib/dispatcher/dispatcher.js";
import PoolClass from "undici/lib/dispatcher/pool.js";

// What undici's index does first: request(), stream(), pipeline()... become methods of every dispatcher.
Object.assign(DispatcherClass.prototype, api);

export const Pool: typeof Undici.Pool = PoolClass;
export type Pool = Undici.Pool;
export const Agent: typeof Undici.Agent = AgentClass;
export type Agent = Undici.Agent;

/**
 * Where a data-plane endpoint of the control plane is, as undici's `request` takes it: the origin,
 * and the contract's path (`@switchyard/core`, data-plane/contract.ts) under `controlPlaneUrl`
 * (which may carry a path prefix of its own).
 */
export function dataPlaneEndpoint(
  controlPlaneUrl: string,
  endpoint: DataPlaneEndpoint,
): { origin: string; path: string } {
  const url = new URL(`${controlPlaneUrl.replace(/\/+$/, "")}${dataPlanePaths[endpoint]}`);
  return { origin: url.origin, path: url.pathname };
}
