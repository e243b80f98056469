/**
 * The typed tRPC client. The dashboard knows the control plane only through the `AppRouter` type;
 * requests go same-origin to /trpc (proxied by server.ts or the Vite dev server) with the session cookie.
 */
import type { AppRouter } from "@switchyard/control-plane/router";
import { createTRPCClient, httpBatchLink } from "@trpc/client";
import type { inferRouterInputs, inferRouterOutputs } from "@trpc/server";
import { createTRPCContext } from "@trpc/tanstack-react-query";

export type { AppRouter };
/** What each procedure returns as the browser receives it (JSON: dates are ISO strings). */
export type RouterOutputs = inferRouterOutputs<AppRouter>;
export type RouterInputs = inferRouterInputs<AppRouter>;

export const { TRPCProvider, useTRPC, useTRPCClient } = createTRPCContext<AppRouter>();

export function createTrpcClient() {
  return createTRPCClient<AppRouter>({
    links: [
      httpBatchLink({
        url: "/trpc",
        fetch(url, options) {
          return fetch(url, { ...options, credentials: "include" });
        },
      }),
    ],
  });
}
