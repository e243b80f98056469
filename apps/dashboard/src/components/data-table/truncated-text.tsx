/**
 * Text that fits its cell on one line, cut with an ellipsis; when it is cut, hovering it (or focusing
 * the cell's row content) shows the whole text in a tooltip. Uncut text shows no tooltip.
 */
import { type ReactNode, useRef, useState } from "react";
import { cn } from "../../lib/utils.ts";
import { Tooltip, TooltipContent, TooltipTrigger } from "../ui/tooltip.tsx";

export function TruncatedText({
  children,
  full,
  className,
}: {
  children: ReactNode;
  /** The whole text for the tooltip, when `children` is not plain text. */
  full?: string;
  className?: string;
}) {
  const ref = useRef<HTMLSpanElement>(null);
  const [open, setOpen] = useState(false);
  return (
    <Tooltip
      open={open}
      onOpenChange={(next) => {
        const el = ref.current;
        // Only text that is actually cut gets a tooltip; the rest would repeat what is on screen.
        setOpen(next && el !== null && el.scrollWidth > el.clientWidth);
      }}
    >
      <TooltipTrigger asChild>
        <span ref={ref} data-slot="truncated-text" className={cn("block truncate", className)}>
          {children}
        </span>
      </TooltipTrigger>
      <TooltipContent className="max-w-sm break-all">{full ?? children}</TooltipContent>
    </Tooltip>
  );
}
