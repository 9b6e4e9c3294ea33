import {
  createContext,
  type ReactNode,
  useContext,
  useEffect,
  useRef,
  useState,
  useSyncExternalStore,
} from "react";
import { tinykeys } from "tinykeys";

// Keyboard shortcuts: pages register what they offer while mounted; the help overlay (press ?)
// lists whatever is registered right now, so it never drifts from what the keys really do.
export interface Shortcut {
  keys: string; // tinykeys syntax, e.g. "r", "g i", "$mod+Enter", "Shift+?"
  label: string; // shown in the help overlay, e.g. "Reply"
  group: string; // "Global", "Inbox", "Ticket"
  // Gets the key event, e.g. to see what had focus.
  run: (event: KeyboardEvent) => void;
  // Fire even while typing in a field (only for chords with a modifier, like $mod+Enter).
  inInputs?: boolean;
  // Leave the key alone while a link, button or other control has focus, so the control's own
  // action runs (Enter follows the link, presses the button).
  ignoreOnControls?: boolean;
}

class ShortcutRegistry {
  private entries = new Map<symbol, Shortcut>();
  private listeners = new Set<() => void>();
  private snapshot: Shortcut[] = [];

  add(id: symbol, shortcut: Shortcut) {
    this.entries.set(id, shortcut);
    this.changed();
  }
  remove(id: symbol) {
    this.entries.delete(id);
    this.changed();
  }
  list = () => this.snapshot;
  subscribe = (listener: () => void) => {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  };
  private changed() {
    this.snapshot = [...this.entries.values()];
    for (const listener of this.listeners) listener();
  }
}

const RegistryContext = createContext<ShortcutRegistry | null>(null);

function isTyping(event: KeyboardEvent) {
  const target = event.target as HTMLElement | null;
  if (!target) return false;
  return target.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(target.tagName);
}

// What a keyboard user can activate: native controls and the ARIA widgets radix-ui renders.
const CONTROLS = [
  "a[href]",
  "button",
  "summary",
  "input",
  "select",
  "textarea",
  "[contenteditable]:not([contenteditable=false])",
  ...["button", "link", "menuitem", "tab", "checkbox", "radio", "switch", "option", "combobox"].map(
    (role) => `[role=${role}]`,
  ),
].join(", ");

function onControl(event: KeyboardEvent) {
  return event.target instanceof Element && event.target.closest(CONTROLS) !== null;
}

export function ShortcutProvider({ children }: { children: ReactNode }) {
  const [registry] = useState(() => new ShortcutRegistry());
  const shortcuts = useSyncExternalStore(registry.subscribe, registry.list);
  useEffect(() => {
    const bindings: Record<string, (event: KeyboardEvent) => void> = {};
    for (const shortcut of shortcuts) {
      bindings[shortcut.keys] = (event) => {
        // A key that something else already acted on is spent: Radix's dialogs and menus take
        // Escape in the capture phase and mark it handled, and by the time it bubbles here the
        // dialog may already have closed, so the "dialog open" check below cannot see it.
        if (event.defaultPrevented) return;
        if (!shortcut.inInputs && isTyping(event)) return;
        if (shortcut.ignoreOnControls && onControl(event)) return;
        // A dialog that is open owns the keyboard (its own Escape etc.).
        if (!shortcut.inInputs && document.querySelector("[role=dialog][data-state=open]")) return;
        event.preventDefault();
        shortcut.run(event);
      };
    }
    return tinykeys(window, bindings);
  }, [shortcuts]);
  return <RegistryContext.Provider value={registry}>{children}</RegistryContext.Provider>;
}

export function useRegisteredShortcuts(): Shortcut[] {
  const registry = useContext(RegistryContext);
  if (!registry) throw new Error("useRegisteredShortcuts outside ShortcutProvider");
  return useSyncExternalStore(registry.subscribe, registry.list);
}

// Registers shortcuts while the calling component is mounted. `run` may change every render; the
// latest one is called.
export function useShortcuts(shortcuts: Shortcut[]) {
  const registry = useContext(RegistryContext);
  if (!registry) throw new Error("useShortcuts outside ShortcutProvider");
  const latest = useRef(shortcuts);
  latest.current = shortcuts;
  const signature = shortcuts
    .map((s) => `${s.keys}|${s.label}|${s.group}|${s.inInputs ?? false}|${s.ignoreOnControls ?? false}`)
    .join("\n");
  useEffect(() => {
    const ids = signature.split("\n").map((_, index) => {
      const id = Symbol(index);
      const shortcut = latest.current[index];
      registry.add(id, { ...shortcut, run: (event) => latest.current[index]?.run(event) });
      return id;
    });
    return () => {
      for (const id of ids) registry.remove(id);
    };
  }, [registry, signature]);
}
