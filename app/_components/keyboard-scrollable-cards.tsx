"use client";
// Makes every card or .scroll-x box that scrolls sideways (a wide table on a narrow screen) reachable by keyboard
// (WCAG 2.1.1), so that its hidden columns can be scrolled to with the arrow keys; one that fits is left out of the tab
// order.
import { useEffect } from "react";

const MARK = "data-keyboard-scrollable";

function mark(): void {
  for (const card of document.querySelectorAll<HTMLElement>("main .card, main .scroll-x")) {
    const scrolls = card.scrollWidth > card.clientWidth + 1;
    if (scrolls && !card.hasAttribute("tabindex")) {
      card.setAttribute("tabindex", "0");
      card.setAttribute(MARK, "");
    } else if (!scrolls && card.hasAttribute(MARK)) {
      card.removeAttribute("tabindex");
      card.removeAttribute(MARK);
    }
  }
}

export function KeyboardScrollableCards() {
  useEffect(() => {
    let frame = 0;
    const schedule = () => {
      cancelAnimationFrame(frame);
      frame = requestAnimationFrame(mark);
    };
    mark();
    // Pages render their data after loading it; only added or removed nodes are watched, not the attributes set here.
    const observer = new MutationObserver(schedule);
    observer.observe(document.body, { childList: true, subtree: true, characterData: true });
    window.addEventListener("resize", schedule);
    return () => {
      cancelAnimationFrame(frame);
      observer.disconnect();
      window.removeEventListener("resize", schedule);
    };
  }, []);
  return null;
}
