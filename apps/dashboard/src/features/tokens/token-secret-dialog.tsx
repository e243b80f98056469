/** Shows a new admin API token's secret, the one time it can be copied, and how to send it. */
import type { TokenWithSecret } from "@switchyard/core";
import { ShowOnceSecretDialog } from "../../components/show-once-secret-dialog.tsx";

export function TokenSecretDialog({
  issued,
  onClose,
}: {
  issued: TokenWithSecret | null;
  onClose: () => void;
}) {
  return (
    <ShowOnceSecretDialog
      secret={issued?.secret ?? null}
      title="Copy your token now"
      description={`The secret of the new API token "${issued?.token.name ?? ""}".`}
      lostHint="create another token"
      onClose={onClose}
    >
      <p className="text-sm text-muted-foreground">
        Send it as <code className="font-mono text-xs">Authorization: Bearer …</code> to the dashboard's{" "}
        <code className="font-mono text-xs">/trpc</code> API.
      </p>
    </ShowOnceSecretDialog>
  );
}
