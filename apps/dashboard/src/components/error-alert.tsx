/** A destructive alert with the warning icon; with `onRetry`, the message sits above a Retry button. */
import { TriangleAlertIcon } from "lucide-react";
import type { ReactNode } from "react";
import { Alert, AlertDescription, AlertTitle } from "./ui/alert.tsx";
import { Button } from "./ui/button.tsx";

export function ErrorAlert({
  title,
  children,
  onRetry,
}: {
  title: ReactNode;
  children: ReactNode;
  onRetry?: (() => void) | undefined;
}) {
  return (
    <Alert variant="destructive">
      <TriangleAlertIcon aria-hidden />
      <AlertTitle>{title}</AlertTitle>
      <AlertDescription>
        {onRetry ? (
          <>
            <p>{children}</p>
            <Button variant="outline" size="sm" className="mt-2" onClick={onRetry}>
              Retry
            </Button>
          </>
        ) : (
          children
        )}
      </AlertDescription>
    </Alert>
  );
}
