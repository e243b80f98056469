/**
 * tRPC setup: the context, the error formatter (AppError codes and zod field errors), and the
 * procedure tiers. Every procedure is built from `publicProcedure`, `authedProcedure` or
 * `scoped(scope)`; the router test checks each one refuses callers without its scope.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { AppError, errorStatus, hasScope, type Scope } from "@switchyard/core";
import type { Db } from "@switchyard/db";
import type { KvStore } from "@switchyard/store";
import { initTRPC, TRPCError } from "@trpc/server";
import type { TRPC_ERROR_CODE_KEY } from "@trpc/server/rpc";
import { ZodError } from "zod";
import type { ControlPlaneEnv } from "./env.ts";
import { log } from "./log.ts";
import type { ControlPlaneMetrics } from "./metrics.ts";
import type { Actor } from "./services/audit/record.ts";
import type { SessionUser } from "./services/auth/sessions.ts";
import type { ConfigBus } from "./services/config/publish.ts";
import type { CredentialVault } from "./services/providers/vault.ts";
import type { TokenAuthentication, TokenCaller } from "./services/tokens/authenticate.ts";
import { bodyTooLarge } from "./trpc-http.ts";

export type Services = {
  db: Db;
  store: KvStore;
  bus: ConfigBus | null;
  env: Pick<ControlPlaneEnv, "SESSION_TTL_HOURS" | "SESSION_MAX_LIFETIME_HOURS" | "COOKIE_SECURE">;
  metrics: ControlPlaneMetrics;
  /** Seals provider credentials at rest and for snapshots; every `writeConfig` needs it. */
  vault: CredentialVault;
};

export type Context = Services & {
  user: SessionUser | null;
  /** Set when the request came with `Authorization: Bearer` (an admin API token), instead of a session. */
  apiToken: TokenAuthentication | null;
  ip: string;
  userAgent: string | null;
  /** Cookies to set on the response (login/logout). */
  setCookie(cookie: string): void;
  req: IncomingMessage;
  res: ServerResponse;
};

const trpcCodeFor: Record<number, TRPC_ERROR_CODE_KEY> = {
  400: "BAD_REQUEST",
  401: "UNAUTHORIZED",
  403: "FORBIDDEN",
  404: "NOT_FOUND",
  409: "CONFLICT",
  413: "PAYLOAD_TOO_LARGE",
  429: "TOO_MANY_REQUESTS",
  500: "INTERNAL_SERVER_ERROR",
  502: "BAD_GATEWAY",
  503: "SERVICE_UNAVAILABLE",
  504: "GATEWAY_TIMEOUT",
};

/** Domain errors become TRPCErrors with the matching HTTP status; the AppError rides as cause. */
export function toTRPCError(err: AppError): TRPCError {
  return new TRPCError({
    code: trpcCodeFor[errorStatus[err.code]] ?? "INTERNAL_SERVER_ERROR",
    message: err.message,
    cause: err,
  });
}

/** Each procedure declares who may call it; the router test reads this back. */
export type ProcedureMeta = { scope: Scope | "public" };

const t = initTRPC
  .context<Context>()
  .meta<ProcedureMeta>()
  .create({
    errorFormatter({ shape, error }) {
      const cause = error.cause;
      const app = cause instanceof AppError ? cause : null;
      const fieldErrors =
        cause instanceof ZodError
          ? Object.fromEntries(
              Object.entries(cause.flatten().fieldErrors).filter(([, v]) => Array.isArray(v) && v.length > 0),
            )
          : (app?.fieldErrors ?? null);
      const internal = error.code === "INTERNAL_SERVER_ERROR";
      // The adapter's own limit error (a chunked body past maxBodySize) says only its code.
      const tooLarge = error.code === "PAYLOAD_TOO_LARGE" && !app;
      return {
        ...shape,
        // Never leak internals (SQL, stack traces) to the browser.
        message: internal
          ? "Something went wrong on our side. Try again; if it persists, check the server logs."
          : tooLarge
            ? bodyTooLarge.message
            : shape.message,
        data: {
          code: shape.data.code,
          httpStatus: shape.data.httpStatus,
          path: shape.data.path,
          appCode: app?.code ?? null,
          retryAfterSeconds: app?.retryAfterSeconds ?? null,
          fieldErrors: fieldErrors as Record<string, string[]> | null,
        },
      };
    },
  });

export const router = t.router;
export const createCallerFactory = t.createCallerFactory;

/** Maps AppErrors thrown by services, and times every call for /metrics. */
const base = t.procedure.use(async ({ ctx, path, next }) => {
  const started = performance.now();
  const result = await next();
  if (!result.ok && result.error.cause instanceof AppError) {
    const mapped = toTRPCError(result.error.cause);
    (result as { error: TRPCError }).error = mapped;
  }
  const status = result.ok ? "ok" : result.error.code;
  ctx.metrics.trpcDuration.observe({ procedure: path, status }, (performance.now() - started) / 1000);
  if (!result.ok && result.error.code === "INTERNAL_SERVER_ERROR") {
    log.error({ procedure: path, err: result.error.cause ?? result.error }, "procedure failed");
  }
  return result;
});

export const publicProcedure = base.meta({ scope: "public" });

/**
 * What a token caller looks like to procedures: the token's role in its organisation, acting for the
 * person who created it. It has no session: `self` procedures, the only ones that read one, refuse tokens.
 */
function tokenUser(token: TokenCaller): SessionUser {
  return {
    id: token.createdBy.id,
    email: token.createdBy.email,
    name: token.name,
    role: token.role,
    orgId: token.orgId,
    sessionId: "",
  };
}

/**
 * Admin API tokens pass the same role and scope checks as a session, with one difference: the
 * `self` scope (the signed-in person's own password, sign-out and notices) needs a person.
 */
function authorizeToken(
  auth: TokenAuthentication,
  scope: Scope,
  ip: string,
): { user: SessionUser; actor: Actor } {
  if (!auth.ok) throw new TRPCError({ code: "UNAUTHORIZED", message: auth.message });
  const { token } = auth;
  if (scope === "self") {
    throw new TRPCError({
      code: "FORBIDDEN",
      message: `An API token may not do this: it acts on a signed-in person's own account (the ${scope} permission); sign in to the dashboard instead`,
    });
  }
  if (!hasScope(token.role, scope)) {
    throw new TRPCError({
      code: "FORBIDDEN",
      message: `This token's role (${token.role}) may not do this: it needs the ${scope} permission`,
    });
  }
  return {
    user: tokenUser(token),
    actor: { id: null, email: null, ip, tokenId: token.id, tokenName: token.name },
  };
}

/** Refuses anonymous callers (401) and roles without the procedure's declared scope (403). */
const authed = base.use(({ ctx, meta, next }) => {
  const scope = meta?.scope;
  if (!scope || scope === "public") {
    throw new TRPCError({ code: "INTERNAL_SERVER_ERROR", message: "procedure declares no scope" });
  }
  if (ctx.apiToken) {
    const { user, actor } = authorizeToken(ctx.apiToken, scope, ctx.ip);
    return next({ ctx: { ...ctx, user, actor } });
  }
  if (!ctx.user) throw new TRPCError({ code: "UNAUTHORIZED", message: "Sign in to continue" });
  if (!hasScope(ctx.user.role, scope)) {
    throw new TRPCError({
      code: "FORBIDDEN",
      message: `Your role (${ctx.user.role}) may not do this: it needs the ${scope} permission`,
    });
  }
  const actor: Actor = { id: ctx.user.id, email: ctx.user.email, ip: ctx.ip };
  return next({ ctx: { ...ctx, user: ctx.user, actor } });
});

/** A procedure only callers whose role holds `scope` may call. */
export function scoped(scope: Scope) {
  return authed.meta({ scope });
}
