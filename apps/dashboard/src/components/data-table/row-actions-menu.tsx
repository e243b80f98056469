/**
 * A row's "…" menu. An item runs its action only after the menu has closed and given focus back to
 * its trigger, so a dialog the action opens remembers the trigger and returns focus to it on close
 * (instead of to the page body, where a menu item that no longer exists would leave it).
 */
import { EllipsisIcon } from "lucide-react";
import { type ReactNode, useRef } from "react";
import { Button } from "../ui/button.tsx";
import {
  DropdownMenu,
  DropdownMenuContent,
  DropdownMenuItem,
  DropdownMenuSeparator,
  DropdownMenuTrigger,
} from "../ui/dropdown-menu.tsx";

export type RowAction = {
  label: string;
  icon?: ReactNode;
  onSelect: () => void;
  destructive?: boolean;
  /** A separator goes above this item. */
  separated?: boolean;
};

export function RowActionsMenu({ label, actions }: { label: string; actions: readonly RowAction[] }) {
  const trigger = useRef<HTMLButtonElement>(null);
  const chosen = useRef<RowAction | null>(null);
  return (
    <DropdownMenu>
      <DropdownMenuTrigger asChild>
        <Button ref={trigger} variant="ghost" size="icon" className="size-8" aria-label={label}>
          <EllipsisIcon aria-hidden />
        </Button>
      </DropdownMenuTrigger>
      <DropdownMenuContent
        align="end"
        onCloseAutoFocus={(event) => {
          const action = chosen.current;
          chosen.current = null;
          if (!action) return;
          event.preventDefault();
          trigger.current?.focus();
          action.onSelect();
        }}
      >
        {actions.map((action) => (
          <RowActionItem key={action.label} action={action} onChoose={() => (chosen.current = action)} />
        ))}
      </DropdownMenuContent>
    </DropdownMenu>
  );
}

function RowActionItem({ action, onChoose }: { action: RowAction; onChoose: () => void }) {
  return (
    <>
      {action.separated && <DropdownMenuSeparator />}
      <DropdownMenuItem variant={action.destructive ? "destructive" : "default"} onSelect={onChoose}>
        {action.icon}
        {action.label}
      </DropdownMenuItem>
    </>
  );
}
