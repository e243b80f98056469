/**
 * The signed-in user, from `auth.me`. <AuthGate> guards every page but the login page: it sends a visitor
 * without a (valid) session to /login?next=<where they were>, and provides the session to the pages.
 */
import { Role, type Scope } from "@switchyard/core";
import { useQuery } from "@tanstack/react-query";
import { createContext, type ReactNode, useContext, useMemo } from "react";
import { Navigate, useLocation } from "react-router";
import { Alert, AlertDescription, AlertTitle } from "../../components/ui/alert.tsx";
import { Button } from "../../components/ui/button.tsx";
import { Skeleton } from "../../components/ui/skeleton.tsx";
import { describeError, isUnauthorized } from "../../lib/errors.ts";
import { loginPath } from "../../lib/login-path.ts";
import { useTRPC } from "../../lib/trpc.ts";

export type SessionUser = {
  id: string;
  email: string;
  name: string;
  role: Role;
  scopes: readonly string[];
};

const SessionContext = createContext<SessionUser | null>(null);

export function useSession(): SessionUser {
  const user = useContext(SessionContext);
  if (!user) throw new Error("useSession must be used inside <AuthGate>");
  return user;
}

export function useHasScope(scope: Scope): boolean {
  return useSession().scopes.includes(scope);
}

export function AuthGate({ children }: { children: ReactNode }) {
  const trpc = useTRPC();
  const location = useLocation();
  const me = useQuery({ ...trpc.auth.me.queryOptions(), staleTime: 60_000 });

  const user = useMemo<SessionUser | undefined>(() => {
    if (!me.data) return undefined;
    const role = Role.safeParse(me.data.role);
    if (!role.success) return undefined;
    return { ...me.data, role: role.data, scopes: me.data.scopes };
  }, [me.data]);

  if (me.error && isUnauthorized(me.error)) {
    return <Navigate to={loginPath(location.pathname + location.search)} replace />;
  }
  // A failed background refetch (the control plane restarting, say) keeps the app on screen.
  if (user) return <SessionContext.Provider value={user}>{children}</SessionContext.Provider>;
  if (me.isPending) return <ShellSkeleton />;
  return (
    <div className="mx-auto mt-24 max-w-lg px-4">
      <Alert variant="destructive">
        <AlertTitle>Could not load your session</AlertTitle>
        <AlertDescription>
          <p>{me.error ? describeError(me.error).message : "The server sent an unexpected role."}</p>
          <Button variant="outline" size="sm" className="mt-2" onClick={() => void me.refetch()}>
            Retry
          </Button>
        </AlertDescription>
      </Alert>
    </div>
  );
}

function ShellSkeleton() {
  return (
    <div className="flex min-h-svh" role="status" aria-busy="true" aria-label="Loading">
      <div className="hidden w-60 shrink-0 flex-col gap-3 border-r bg-sidebar p-4 md:flex">
        <Skeleton className="mb-4 h-6 w-32" />
        {["a", "b", "c", "d", "e", "f"].map((k) => (
          <Skeleton key={k} className="h-8 w-full" />
        ))}
      </div>
      <div className="flex flex-1 flex-col">
        <div className="flex h-14 items-center justify-end gap-2 border-b px-4">
          <Skeleton className="size-9" />
          <Skeleton className="h-9 w-40" />
        </div>
        <div className="grid gap-4 p-8">
          <Skeleton className="h-8 w-64" />
          <Skeleton className="h-40 w-full" />
        </div>
      </div>
    </div>
  );
}
