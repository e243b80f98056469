/** Shows a key's secret right after it was created or rotated, the one time it can be copied. */
import { ShowOnceSecretDialog } from "../../components/show-once-secret-dialog.tsx";

export type IssuedSecret = { keyName: string; secret: string; reason: "created" | "rotated" };

export function SecretDialog({ issued, onClose }: { issued: IssuedSecret | null; onClose: () => void }) {
  return (
    <ShowOnceSecretDialog
      secret={issued?.secret ?? null}
      title="Copy your secret now"
      description={
        issued?.reason === "rotated"
          ? `The new secret of "${issued.keyName}".`
          : `The secret of the new key "${issued?.keyName ?? ""}".`
      }
      lostHint="rotate the key to get a new one"
      onClose={onClose}
    />
  );
}
