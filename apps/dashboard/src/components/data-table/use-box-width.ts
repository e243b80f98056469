import { type RefObject, useLayoutEffect, useState } from "react";

/**
 * The inner width of an element, measured before the first paint and again whenever it changes
 * (window resized, sidebar shown, a container query). Until it is measured: `null`.
 */
export function useBoxWidth(ref: RefObject<HTMLElement | null>): number | null {
  const [width, setWidth] = useState<number | null>(null);
  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return;
    setWidth(el.clientWidth);
    const observer = new ResizeObserver(() => setWidth(el.clientWidth));
    observer.observe(el);
    return () => observer.disconnect();
  }, [ref]);
  return width;
}
