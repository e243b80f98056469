/**
 * Wires the app together: theme, TanStack Query + tRPC, the router, toasts. One rule lives here because
 * it spans every page: any UNAUTHORIZED answer (the session expired) sends the user to sign in again and
 * back to the page they were on afterwards.
 */
import { MutationCache, QueryCache, QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { createTRPCOptionsProxy } from "@trpc/tanstack-react-query";
import { RouterProvider } from "react-router";
import { Toaster } from "./components/ui/sonner.tsx";
import type { LoginLocationState } from "./features/auth/login-page.tsx";
import { isUnauthorized, shouldRetry } from "./lib/errors.ts";
import { loginPath } from "./lib/login-path.ts";
import { ThemeProvider } from "./lib/theme.tsx";
import { type AppRouter, createTrpcClient, TRPCProvider } from "./lib/trpc.ts";
import { createAppRouter } from "./routes.tsx";

function onApiError(error: unknown) {
  if (!isUnauthorized(error)) return;
  const { pathname, search } = router.state.location;
  // On the login page UNAUTHORIZED means wrong credentials, which the form shows itself.
  if (pathname === "/login") return;
  const hadSession = queryClient.getQueryData(trpcOptions.auth.me.queryKey()) !== undefined;
  const state: LoginLocationState = hadSession ? { reason: "expired" } : null;
  void router.navigate(loginPath(pathname + search), { replace: true, state });
}

const queryClient = new QueryClient({
  queryCache: new QueryCache({ onError: onApiError }),
  mutationCache: new MutationCache({ onError: onApiError }),
  defaultOptions: {
    queries: { retry: shouldRetry, staleTime: 10_000 },
    mutations: { retry: false },
  },
});
const trpcClient = createTrpcClient();
const trpcOptions = createTRPCOptionsProxy<AppRouter>({ client: trpcClient, queryClient });
const router = createAppRouter();

export function App() {
  return (
    <ThemeProvider>
      <QueryClientProvider client={queryClient}>
        <TRPCProvider trpcClient={trpcClient} queryClient={queryClient}>
          <RouterProvider router={router} />
          <Toaster richColors closeButton />
        </TRPCProvider>
      </QueryClientProvider>
    </ThemeProvider>
  );
}
