import { useRouter } from "@tanstack/react-router";
import { useEffect } from "react";

// After a page change a screen reader user should land on the new page's title, not stay on a
// link that no longer exists; the tab title follows the page's h1 too. A page that puts focus
// somewhere itself (the search box) keeps it.
export function useRouteFocus() {
  const router = useRouter();
  useEffect(() => {
    let before: Element | null = null;
    let stop: (() => void) | null = whenHeading(setTitle);
    let navigating = false;
    const offBefore = router.subscribe("onBeforeNavigate", (event) => {
      // A page may navigate again while mounting (search writes its query to the URL); what
      // had focus is what had it when the first of those navigations began.
      if (event.pathChanged && !navigating) before = document.activeElement;
      navigating = true;
    });
    const offResolved = router.subscribe("onResolved", (event) => {
      navigating = false;
      if (!event.pathChanged) return;
      stop?.();
      // The first page of a visit only gets its title; focus stays where the browser put it, so
      // the skip link is the first stop.
      if (!event.fromLocation) {
        stop = whenHeading(setTitle);
        return;
      }
      const focusedBefore = before;
      stop = whenHeading((heading) => {
        setTitle(heading);
        const active = document.activeElement;
        const main = document.getElementById("main");
        const pageMovedFocus =
          active && active !== focusedBefore && active !== document.body && main?.contains(active);
        if (pageMovedFocus) return;
        heading.tabIndex = -1;
        heading.focus();
      });
    });
    return () => {
      stop?.();
      offBefore();
      offResolved();
    };
  }, [router]);
}

function setTitle(heading: HTMLElement) {
  const text = heading.textContent?.replace(/\s+/g, " ").trim();
  document.title = text ? `${text} · Parley` : "Parley";
}

// Calls back once the main area shows an h1 (pages may render it after their data arrives);
// gives up after 5 s. Returns a function that cancels the wait.
function whenHeading(callback: (heading: HTMLElement) => void): () => void {
  const find = () => document.querySelector<HTMLElement>("#main h1");
  const found = find();
  if (found) {
    callback(found);
    return () => {};
  }
  const main = document.getElementById("main") ?? document.body;
  const observer = new MutationObserver(() => {
    const heading = find();
    if (!heading) return;
    cancel();
    callback(heading);
  });
  const timer = setTimeout(() => cancel(), 5000);
  function cancel() {
    observer.disconnect();
    clearTimeout(timer);
  }
  observer.observe(main, { childList: true, subtree: true });
  return cancel;
}
