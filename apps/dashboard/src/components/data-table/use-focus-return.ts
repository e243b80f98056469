import { useLayoutEffect, useRef } from "react";

/**
 * Gives focus back to what had it (a row's menu button, a "Create" button) when the page's dialogs
 * close. Radix's Dialog returns focus only to its own Trigger, and the dialogs a page opens from a
 * row have none, so without this focus falls to the page body. `open` is whether any dialog of the
 * page is open, so a dialog that hands over to another (rotate, then the secret) returns focus once.
 */
export function useFocusReturn(open: boolean): void {
  const saved = useRef<HTMLElement | null>(null);
  useLayoutEffect(() => {
    // Layout effects run before the dialog's focus trap moves focus inside it.
    if (open) {
      saved.current = document.activeElement instanceof HTMLElement ? document.activeElement : null;
      return;
    }
    const target = saved.current;
    saved.current = null;
    if (!target) return;
    // After the dialog's own clean-up; only if focus is lost (a toast or a new dialog may hold it).
    const timer = setTimeout(() => {
      const active = document.activeElement;
      const lost = active === null || active === document.body || !active.isConnected;
      if (lost && target.isConnected) target.focus();
    }, 0);
    return () => clearTimeout(timer);
  }, [open]);
}
