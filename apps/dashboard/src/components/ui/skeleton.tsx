/** A loading placeholder, in --skeleton: a clear step from the card and page in both themes. */
import type * as React from "react";
import { cn } from "../../lib/utils.ts";

export function Skeleton({ className, ...props }: React.ComponentProps<"div">) {
  return (
    <div data-slot="skeleton" className={cn("animate-pulse rounded-md bg-skeleton", className)} {...props} />
  );
}
