import { CompassIcon } from "lucide-react";
import { Link, useLocation } from "react-router";
import { Button } from "../../components/ui/button.tsx";
import { usePageTitle } from "../../lib/use-page-title.ts";
import { Brand } from "./brand.tsx";

export function NotFoundPage() {
  usePageTitle("Page not found");
  const { pathname } = useLocation();
  return (
    <div className="flex min-h-svh flex-col items-center justify-center gap-6 px-4 text-center">
      <Brand />
      <div className="flex size-12 items-center justify-center rounded-full bg-muted text-muted-foreground">
        <CompassIcon className="size-6" aria-hidden />
      </div>
      <div className="grid gap-2">
        <p className="text-sm font-medium text-muted-foreground">404</p>
        <h1 className="text-2xl font-semibold tracking-tight">Page not found</h1>
        <p className="max-w-md text-sm text-muted-foreground">
          There is no page at <code className="rounded bg-muted px-1 py-0.5 font-mono">{pathname}</code>.
        </p>
      </div>
      <Button asChild>
        <Link to="/">Back to the dashboard</Link>
      </Button>
    </div>
  );
}
