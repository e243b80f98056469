import { TriangleAlertIcon } from "lucide-react";
import { isRouteErrorResponse, useRouteError } from "react-router";
import { Alert, AlertDescription, AlertTitle } from "../../components/ui/alert.tsx";
import { Button } from "../../components/ui/button.tsx";

/** Last line of defence: a render error shows a message and a way out instead of a blank page. */
export function RouteErrorPage() {
  const error = useRouteError();
  const message = isRouteErrorResponse(error)
    ? `${error.status} ${error.statusText}`
    : error instanceof Error
      ? error.message
      : "Unknown error";
  return (
    <div className="mx-auto mt-24 max-w-lg px-4">
      <Alert variant="destructive">
        <TriangleAlertIcon aria-hidden />
        <AlertTitle>Something went wrong</AlertTitle>
        <AlertDescription>
          <p>{message}</p>
          <Button variant="outline" size="sm" className="mt-2" onClick={() => window.location.reload()}>
            Reload the page
          </Button>
        </AlertDescription>
      </Alert>
    </div>
  );
}
