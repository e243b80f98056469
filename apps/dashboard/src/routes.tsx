/** Every page of the dashboard, in one list. Sections not built yet say so (see NotBuiltPage). */
import type { SectionId } from "@switchyard/core";
import type { ReactNode } from "react";
import { createBrowserRouter, Outlet, type RouteObject } from "react-router";
import { AuditPage } from "./features/audit/audit-page.tsx";
import { LoginPage } from "./features/auth/login-page.tsx";
import { AuthGate } from "./features/auth/session.tsx";
import { KeysPage } from "./features/keys/keys-page.tsx";
import { ProvidersPage } from "./features/providers/providers-page.tsx";
import { RoutingPage } from "./features/routing/routing-page.tsx";
import { SettingsPage } from "./features/settings/settings-page.tsx";
import { AppShell } from "./features/shell/app-shell.tsx";
import { HomeRedirect } from "./features/shell/home-redirect.tsx";
import { NotBuiltPage } from "./features/shell/not-built-page.tsx";
import { NotFoundPage } from "./features/shell/not-found-page.tsx";
import { RequireSection } from "./features/shell/require-section.tsx";
import { RouteErrorPage } from "./features/shell/route-error-page.tsx";
import { SystemPage } from "./features/system/system-page.tsx";
import { TokensPage } from "./features/tokens/tokens-page.tsx";

const notBuilt = [
  "budgets",
  "prompts",
  "experiments",
  "moderation",
  "fleet",
  "usage",
] as const satisfies readonly SectionId[];

function section(id: SectionId, element: ReactNode): RouteObject {
  return { path: id, element: <RequireSection id={id}>{element}</RequireSection> };
}

export const routes: RouteObject[] = [
  {
    element: <Outlet />,
    errorElement: <RouteErrorPage />,
    children: [
      { path: "login", element: <LoginPage /> },
      {
        path: "/",
        element: (
          <AuthGate>
            <AppShell />
          </AuthGate>
        ),
        children: [
          { index: true, element: <HomeRedirect /> },
          section("keys", <KeysPage />),
          section("providers", <ProvidersPage />),
          section("routing", <RoutingPage />),
          ...notBuilt.map((id) => section(id, <NotBuiltPage sectionId={id} />)),
          section("audit", <AuditPage />),
          section("tokens", <TokensPage />),
          section("system", <SystemPage />),
          section("settings", <SettingsPage />),
        ],
      },
      { path: "*", element: <NotFoundPage /> },
    ],
  },
];

export function createAppRouter() {
  return createBrowserRouter(routes);
}
