/**
 * Shows a key's secret right after it was created or rotated. The control plane keeps only a hash, so
 * this is the one moment it can be copied; closing the dialog forgets it. Clicking outside does
 * nothing, and Escape (or the close button) asks first unless the secret was copied.
 */
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

export type IssuedSecret = { keyName: string; secret: string; reason: "created" | "rotated" };

export function SecretDialog({ issued, onClose }: { issued: IssuedSecret | null; onClose: () => void }) {
  const [copy, setCopy] = useState<"idle" | "copied" | "failed">("idle");
  // The user tried to dismiss the dialog before copying: ask whether to close without it.
  const [leaving, setLeaving] = useState(false);
  useEffect(() => {
    if (issued) {
      setCopy("idle");
      setLeaving(false);
    }
  }, [issued]);

  function dismiss() {
    if (copy === "copied") onClose();
    else setLeaving(true);
  }

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
    <Dialog open={issued !== null} onOpenChange={(open) => !open && dismiss()}>
      <DialogContent className="sm:max-w-xl" onInteractOutside={(e) => e.preventDefault()}>
        <DialogHeader>
          <DialogTitle>Copy your secret now</DialogTitle>
          <DialogDescription>
            {issued?.reason === "rotated"
              ? `The new secret of "${issued.keyName}". `
              : `The secret of the new key "${issued?.keyName ?? ""}". `}
            It won't be shown again: Switchyard keeps only a hash of it.
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
              The secret cannot be shown again; you would have to rotate the key to get a new one.
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
