// An editor that opens below a list: bring its heading into view and focus it, so keyboard and
// screen-reader users land in the form they just opened.
import { useEffect, useRef, type RefObject } from 'react';

/** Reveals the heading whenever `key` (which editor is open) changes to something other than null. */
export function useRevealHeading(key: string | number | null): RefObject<HTMLHeadingElement | null> {
  const heading = useRef<HTMLHeadingElement | null>(null);
  useEffect(() => {
    if (key === null || !heading.current) return;
    heading.current.scrollIntoView({ block: 'start' });
    heading.current.focus();
  }, [key]);
  return heading;
}
