/**
 * Shows a secret right after it was issued (an API key's, an admin token's). The control plane keeps
 * only a hash, so this is the one moment it can be copied; closing the dialog forgets it. Clicking
 * outside does nothing, and Escape (or the close button) asks first unless the secret was copied.
 */
import { CheckIcon, CopyIcon, TriangleAlertIcon } from "lucide-react";
import { type ReactNode, useEffect, useState } from "react";
import { Alert, AlertDescription, AlertTitle } from "./ui/alert.tsx";
import { Button } from "./ui/button.tsx";
import {
  Dialog,
  DialogContent,
  DialogDescription,
  DialogFooter,
  DialogHeader,
  DialogTitle,
} from "./ui/dialog.tsx";

export function ShowOnceSecretDialog({
  secret,
  title,
  description,
  lostHint,
  children,
  onClose,
}: {
  /** The secret; null while the dialog is closed. */
  secret: string | null;
  title: string;
  /** Which secret this is; the dialog adds that it won't be shown again. */
  description: string;
  /** What the user would have to do without it, e.g. "rotate the key to get a new one". */
  lostHint: string;
  /** Shown under the secret (how to use it). */
  children?: ReactNode;
  onClose: () => void;
}) {
  const [copy, setCopy] = useState<"idle" | "copied" | "failed">("idle");
  // The user tried to dismiss the dialog before copying: ask whether to close without it.
  const [leaving, setLeaving] = useState(false);
  useEffect(() => {
    if (secret) {
      setCopy("idle");
      setLeaving(false);
    }
  }, [secret]);

  function dismiss() {
    if (copy === "copied") onClose();
    else setLeaving(true);
  }

  async function copySecret() {
    if (!secret) return;
    try {
      await navigator.clipboard.writeText(secret);
      setCopy("copied");
    } catch {
      setCopy("failed");
    }
  }

  return (
    <Dialog open={secret !== null} onOpenChange={(open) => !open && dismiss()}>
      <DialogContent className="sm:max-w-xl" onInteractOutside={(e) => e.preventDefault()}>
        <DialogHeader>
          <DialogTitle>{title}</DialogTitle>
          <DialogDescription>
            {description} It won't be shown again: Switchyard keeps only a hash of it.
          </DialogDescription>
        </DialogHeader>
        <div className="flex items-center gap-2">
          <code
            data-testid="issued-secret"
            className="min-w-0 flex-1 rounded-md border bg-muted px-3 py-2 font-mono text-sm break-all select-all"
          >
            {secret}
          </code>
          <Button variant="outline" onClick={copySecret} aria-live="polite">
            {copy === "copied" ? <CheckIcon aria-hidden /> : <CopyIcon aria-hidden />}
            {copy === "copied" ? "Copied" : "Copy"}
          </Button>
        </div>
        {children}
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
              The secret cannot be shown again; you would have to {lostHint}.
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
