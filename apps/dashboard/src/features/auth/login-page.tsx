/**
 * Sign-in. Field rules come from core's `LoginInput`, so the form and the server agree; the server's
 * answer for wrong credentials is deliberately generic and shown as is.
 */
import { LoginInput } from "@switchyard/core";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { Loader2Icon, LockIcon } from "lucide-react";
import { type FormEvent, useEffect, useState } from "react";
import { useLocation, useNavigate, useSearchParams } from "react-router";
import { Alert, AlertDescription, AlertTitle } from "../../components/ui/alert.tsx";
import { Button } from "../../components/ui/button.tsx";
import { Card, CardContent, CardDescription, CardHeader } from "../../components/ui/card.tsx";
import { FormField } from "../../components/ui/form-field.tsx";
import { Input } from "../../components/ui/input.tsx";
import { describeError, zodFieldErrors } from "../../lib/errors.ts";
import { safeNext } from "../../lib/login-path.ts";
import { useTRPC } from "../../lib/trpc.ts";
import { usePageTitle } from "../../lib/use-page-title.ts";
import { Brand } from "../shell/brand.tsx";
import { ThemeToggle } from "../shell/theme-toggle.tsx";

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

  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [clientErrors, setClientErrors] = useState<Record<string, string[]>>({});
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
        if (code === "UNAUTHORIZED") setPassword("");
      },
    }),
  );

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const parsed = LoginInput.safeParse({ email, password });
    if (!parsed.success) {
      setClientErrors(zodFieldErrors(parsed.error));
      return;
    }
    setClientErrors({});
    login.mutate(parsed.data);
  }

  const serverError = login.error ? describeError(login.error) : undefined;
  const fieldErrors = { ...serverError?.fieldErrors, ...clientErrors };
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
          <form className="grid gap-4" onSubmit={onSubmit} noValidate>
            {expired && !serverError && (
              <Alert>
                <LockIcon aria-hidden />
                <AlertTitle>Your session has ended</AlertTitle>
                <AlertDescription>Sign in again to continue where you were.</AlertDescription>
              </Alert>
            )}
            {serverError && Object.keys(serverError.fieldErrors).length === 0 && (
              <Alert variant="destructive">
                <AlertTitle>{throttled ? "Too many sign-in attempts" : "Could not sign in"}</AlertTitle>
                <AlertDescription>
                  {throttled
                    ? retryIn > 0
                      ? `Try again in ${formatDuration(retryIn)}.`
                      : "You can try again now."
                    : serverError.message}
                </AlertDescription>
              </Alert>
            )}
            <FormField id="email" label="Email" errors={fieldErrors.email}>
              <Input
                type="email"
                name="email"
                autoComplete="username"
                autoFocus
                value={email}
                onChange={(e) => setEmail(e.target.value)}
              />
            </FormField>
            <FormField id="password" label="Password" errors={fieldErrors.password}>
              <Input
                type="password"
                name="password"
                autoComplete="current-password"
                value={password}
                onChange={(e) => setPassword(e.target.value)}
              />
            </FormField>
            <Button type="submit" className="w-full" disabled={login.isPending || locked}>
              {login.isPending && <Loader2Icon className="animate-spin" aria-hidden />}
              Sign in
            </Button>
          </form>
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
