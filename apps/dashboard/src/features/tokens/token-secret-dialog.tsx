/**
 * Shows a new token's secret, the one time it can be copied (the control plane keeps only a hash),
 * the way the keys feature shows a key's. Clicking outside does nothing and Escape asks first, so the
 * secret is not lost by accident.
 */
import type { TokenWithSecret } from "@switchyard/core";
import { CheckIcon, CopyIcon, TriangleAlertIcon } from "lucide-react";
import { useEffect, useState } from "react";
import { Alert, AlertDescription, AlertTitle } from "../../components/ui/alert.tsx";
import { Button } from "../../components/ui/button.tsx";
import {
  Dialog,
  DialogContent,
  DialogDescription,
  DialogFooter,
  DialogHeader,
  DialogTitle,
} from "../../components/ui/dialog.tsx";

export function TokenSecretDialog({
  issued,
  onClose,
}: {
  issued: TokenWithSecret | null;
  onClose: () => void;
}) {
  const [copy, setCopy] = useState<"idle" | "copied" | "failed">("idle");
  const [leaving, setLeaving] = useState(false);
  useEffect(() => {
    if (issued) {
      setCopy("idle");
      setLeaving(false);
    }
  }, [issued]);

  async function copySecret() {
    if (!issued) return;
    try {
      await navigator.clipboard.writeText(issued.secret);
      setCopy("copied");
    } catch {
      setCopy("failed");
    }
  }

  return (
    <Dialog open={issued !== null} onOpenChange={(open) => !open && onClose()}>
      <DialogContent
        className="sm:max-w-xl"
        showCloseButton={false}
        onInteractOutside={(e) => e.preventDefault()}
        onEscapeKeyDown={(e) => {
          // Once copied, Escape closes as usual.
          if (copy === "copied") return;
          e.preventDefault();
          setLeaving(true);
        }}
      >
        <DialogHeader>
          <DialogTitle>Copy your token now</DialogTitle>
          <DialogDescription className="break-words">
            The secret of the new API token "{issued?.token.name ?? ""}". It won't be shown again: Switchyard
            keeps only a hash of it.
          </DialogDescription>
        </DialogHeader>
        <div className="flex items-center gap-2">
          <code
            data-testid="issued-secret"
            className="min-w-0 flex-1 rounded-md border bg-muted px-3 py-2 font-mono text-sm break-all select-all"
          >
            {issued?.secret}
          </code>
          <Button variant="outline" onClick={copySecret} aria-live="polite">
            {copy === "copied" ? <CheckIcon aria-hidden /> : <CopyIcon aria-hidden />}
            {copy === "copied" ? "Copied" : "Copy"}
          </Button>
        </div>
        <p className="text-sm text-muted-foreground">
          Send it as <code className="font-mono text-xs">Authorization: Bearer …</code> to the dashboard's{" "}
          <code className="font-mono text-xs">/trpc</code> API.
        </p>
        {copy === "failed" && (
          <Alert variant="destructive">
            <TriangleAlertIcon aria-hidden />
            <AlertTitle>Could not copy automatically</AlertTitle>
            <AlertDescription>Select the secret above and copy it by hand.</AlertDescription>
          </Alert>
        )}
        {leaving && copy !== "copied" && (
          <Alert variant="destructive" role="alert">
            <TriangleAlertIcon aria-hidden />
            <AlertTitle>Close without copying?</AlertTitle>
            <AlertDescription>
              The secret cannot be shown again; you would have to create another token.
            </AlertDescription>
          </Alert>
        )}
        <DialogFooter>
          {leaving && copy !== "copied" && (
            <Button variant="outline" onClick={onClose}>
              Close without copying
            </Button>
          )}
          <Button onClick={onClose}>I have copied it</Button>
        </DialogFooter>
      </DialogContent>
    </Dialog>
  );
}
