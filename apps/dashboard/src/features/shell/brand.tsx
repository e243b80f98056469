import { ArrowLeftRightIcon } from "lucide-react";

export function Brand() {
  return (
    <span className="flex items-center gap-2 text-base font-semibold tracking-tight">
      <span className="flex size-7 items-center justify-center rounded-md bg-primary text-primary-foreground">
        <ArrowLeftRightIcon className="size-4" aria-hidden />
      </span>
      Switchyard
    </span>
  );
}
