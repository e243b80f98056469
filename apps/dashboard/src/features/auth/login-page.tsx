/**
 * Sign-in. Field rules come from core's `LoginInput`, so the form and the server agree; the server's
 * answer for wrong credentials is deliberately generic and shown as is.
 */
import type { LoginInput } from "@switchyard/core";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { Loader2Icon, LockIcon } from "lucide-react";
import { useEffect, useState } from "react";
import { useLocation, useNavigate, useSearchParams } from "react-router";
import { TextField } from "../../components/form/fields.tsx";
import { Form } from "../../components/form/form.tsx";
import { serverProblems } from "../../components/form/server-errors.ts";
import { useZodForm } from "../../components/form/use-zod-form.ts";
import { Alert, AlertDescription, AlertTitle } from "../../components/ui/alert.tsx";
import { Button } from "../../components/ui/button.tsx";
import { Card, CardContent, CardDescription, CardHeader } from "../../components/ui/card.tsx";
import { describeError } from "../../lib/errors.ts";
import { safeNext } from "../../lib/login-path.ts";
import { useTRPC } from "../../lib/trpc.ts";
import { usePageTitle } from "../../lib/use-page-title.ts";
import { Brand } from "../shell/brand.tsx";
import { ThemeToggle } from "../shell/theme-toggle.tsx";
import { emptyLogin, LoginForm } from "./login-schema.ts";

export type LoginLocationState = { reason?: "expired" } | null;

export function LoginPage() {
  usePageTitle("Sign in");
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const location = useLocation();
  const [params] = useSearchParams();
  const next = safeNext(params.get("next"));
  const expired = (location.state as LoginLocationState)?.reason === "expired";

  const form = useZodForm(LoginForm, emptyLogin);
  const [retryUntil, setRetryUntil] = useState<number | null>(null);
  const retryIn = useSecondsUntil(retryUntil);

  const login = useMutation(
    trpc.auth.login.mutationOptions({
      onSuccess: async () => {
        // Whatever was cached belonged to the previous session.
        queryClient.removeQueries();
        await navigate(next, { replace: true });
      },
      onError: (error) => {
        const { code, retryAfterSeconds } = describeError(error);
        if (code === "TOO_MANY_REQUESTS") setRetryUntil(Date.now() + (retryAfterSeconds ?? 60) * 1000);
        if (code === "UNAUTHORIZED") form.setValue("password", "");
      },
    }),
  );

  function onSubmit(input: LoginInput) {
    if (!login.isPending) login.mutate(input);
  }

  const serverError = login.error ? describeError(login.error) : undefined;
  const { general } = serverProblems(login.error, Object.keys(emptyLogin));
  const throttled = serverError?.code === "TOO_MANY_REQUESTS";
  const locked = throttled && retryIn > 0;

  return (
    <div className="relative flex min-h-svh flex-col items-center justify-center bg-muted/40 px-4 py-12">
      <div className="absolute top-4 right-4">
        <ThemeToggle />
      </div>
      <div className="mb-6">
        <Brand />
      </div>
      <Card className="w-full max-w-sm">
        <CardHeader>
          <h1 className="text-xl font-semibold">Sign in</h1>
          <CardDescription>Use the account an administrator created for you.</CardDescription>
        </CardHeader>
        <CardContent>
          <Form form={form} onSubmit={onSubmit} serverError={login.error} className="grid gap-4">
            {expired && !serverError && (
              <Alert>
                <LockIcon aria-hidden />
                <AlertTitle>Your session has ended</AlertTitle>
                <AlertDescription>Sign in again to continue where you were.</AlertDescription>
              </Alert>
            )}
            {general && (
              <Alert variant="destructive">
                <AlertTitle>{throttled ? "Too many sign-in attempts" : "Could not sign in"}</AlertTitle>
                <AlertDescription>
                  {throttled
                    ? retryIn > 0
                      ? `Try again in ${formatDuration(retryIn)}.`
                      : "You can try again now."
                    : general.message}
                </AlertDescription>
              </Alert>
            )}
            <TextField name="email" label="Email" type="email" autoComplete="username" autoFocus />
            <TextField name="password" label="Password" type="password" autoComplete="current-password" />
            <Button type="submit" className="w-full" disabled={login.isPending || locked}>
              {login.isPending && <Loader2Icon className="animate-spin" aria-hidden />}
              Sign in
            </Button>
          </Form>
        </CardContent>
      </Card>
    </div>
  );
}

/** Whole seconds left until `until` (a Date.now() timestamp), ticking once a second. */
function useSecondsUntil(until: number | null): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (until === null) return;
    setNow(Date.now());
    const timer = setInterval(() => {
      const current = Date.now();
      setNow(current);
      if (current >= until) clearInterval(timer);
    }, 1000);
    return () => clearInterval(timer);
  }, [until]);
  return until === null ? 0 : Math.max(0, Math.ceil((until - now) / 1000));
}

function formatDuration(seconds: number): string {
  if (seconds < 60) return `${seconds} second${seconds === 1 ? "" : "s"}`;
  const minutes = Math.ceil(seconds / 60);
  return `${minutes} minute${minutes === 1 ? "" : "s"}`;
}
