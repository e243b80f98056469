/**
 * Moves focus to the first control in `root` that is marked invalid, in the page's order. A marked
 * group (a fieldset of checkboxes) hands focus to its first focusable control.
 */
const focusable =
  "input:not([disabled]), select, textarea, button:not([disabled]), [tabindex]:not([tabindex='-1'])";

export function focusFirstError(root: HTMLElement | null): void {
  const invalid = root?.querySelector<HTMLElement>('[aria-invalid="true"]');
  if (!invalid) return;
  const target = invalid.matches(focusable) ? invalid : invalid.querySelector<HTMLElement>(focusable);
  target?.focus();
}
