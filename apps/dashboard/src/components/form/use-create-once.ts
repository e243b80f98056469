/**
 * One create per opening of a create dialog. The idempotency key is a fresh UUID each time the
 * dialog opens and goes with the create, so a repeat the server sees anyway (a retry, a second tab
 * of the same click) is answered "Already created" instead of making a second record; `claim()`
 * stops repeats before they leave the browser (three clicks in the same instant send one request).
 */
import { useEffect, useRef, useState } from "react";

export function useCreateOnce(open: boolean) {
  const [idempotencyKey, setIdempotencyKey] = useState(() => crypto.randomUUID());
  const claimed = useRef(false);

  useEffect(() => {
    if (!open) return;
    setIdempotencyKey(crypto.randomUUID());
    claimed.current = false;
  }, [open]);

  return {
    idempotencyKey,
    /** True for the first submit of this opening; false while it runs or after it succeeded. */
    claim(): boolean {
      if (claimed.current) return false;
      claimed.current = true;
      return true;
    },
    /** The create failed: the user may fix the form and send it again (with the same key). */
    release(): void {
      claimed.current = false;
    },
  };
}
