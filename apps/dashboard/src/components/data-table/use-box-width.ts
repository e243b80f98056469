import { useLayoutEffect, useState } from "react";

/**
 * The content width of an element (inside its padding), measured before the first paint and again whenever it changes
 * (window resized, sidebar shown). Until it is measured: `null`. Pass `ref` as the element's ref: a
 * callback, so an element that appears later (after a loading or empty state) is measured too.
 */
export function useBoxWidth(): { ref: (el: HTMLElement | null) => void; width: number | null } {
  const [el, setEl] = useState<HTMLElement | null>(null);
  const [width, setWidth] = useState<number | null>(null);
  useLayoutEffect(() => {
    if (!el) return;
    // The content width: the client width less the padding.
    const measure = () => {
      const style = getComputedStyle(el);
      setWidth(el.clientWidth - Number.parseFloat(style.paddingLeft) - Number.parseFloat(style.paddingRight));
    };
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(el);
    return () => observer.disconnect();
  }, [el]);
  return { ref: setEl, width };
}
