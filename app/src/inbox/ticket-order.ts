// The order of the list the agent last worked in, for the ticket page's next/previous keys: the
// ids on screen, newest list wins. Kept in sessionStorage so a reload of the ticket keeps it.
const KEY = "parley.inbox.order";

export function rememberListOrder(ids: number[]) {
  try {
    sessionStorage.setItem(KEY, JSON.stringify(ids.slice(0, 1000)));
  } catch {
    // Storage full or disabled: next/previous falls back to creation order.
  }
}

// The ticket after (or before) `id` in that list, or null when it is not in it or at its end.
export function adjacentInList(id: number, direction: "next" | "previous"): number | null {
  try {
    const ids = JSON.parse(sessionStorage.getItem(KEY) ?? "[]") as number[];
    const at = ids.indexOf(id);
    if (at < 0) return null;
    return ids[at + (direction === "next" ? 1 : -1)] ?? null;
  } catch {
    return null;
  }
}
