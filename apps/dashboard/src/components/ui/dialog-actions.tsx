/** A dialog's footer: Cancel (closes the dialog) and the action button; both are disabled while `pending`. */
import { Button } from "./button.tsx";
import { DialogClose, DialogFooter } from "./dialog.tsx";
import { PendingButton, type PendingButtonProps } from "./pending-button.tsx";

export function DialogActions({ pending, ...action }: PendingButtonProps) {
  return (
    <DialogFooter>
      <DialogClose asChild>
        <Button variant="outline" disabled={pending}>
          Cancel
        </Button>
      </DialogClose>
      <PendingButton pending={pending} {...action} />
    </DialogFooter>
  );
}
