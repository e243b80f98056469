/** A button that is disabled and shows a spinner while its action runs. */
import { Loader2Icon } from "lucide-react";
import { Button, type ButtonProps } from "./button.tsx";

export type PendingButtonProps = ButtonProps & { pending: boolean };

export function PendingButton({ pending, disabled, children, ...props }: PendingButtonProps) {
  return (
    <Button disabled={pending || disabled} {...props}>
      {pending && <Loader2Icon className="animate-spin" aria-hidden />}
      {children}
    </Button>
  );
}
