import { Dialog } from "radix-ui";
import { useState } from "react";
import { type Shortcut, useRegisteredShortcuts, useShortcuts } from "./shortcuts.tsx";

function keyLabel(keys: string) {
  return keys
    .replace("$mod", navigator.platform.includes("Mac") ? "⌘" : "Ctrl")
    .replace("Shift+?", "?")
    .split(" ")
    .join(" then ");
}

// The "?" overlay: every shortcut registered right now, by group.
export function ShortcutHelp() {
  const [open, setOpen] = useState(false);
  useShortcuts([
    { keys: "Shift+?", label: "Show keyboard shortcuts", group: "Global", run: () => setOpen(true) },
  ]);
  const shortcuts = useRegisteredShortcuts();
  const groups = new Map<string, Shortcut[]>();
  for (const shortcut of shortcuts)
    groups.set(shortcut.group, [...(groups.get(shortcut.group) ?? []), shortcut]);
  return (
    <Dialog.Root open={open} onOpenChange={setOpen}>
      <Dialog.Portal>
        <Dialog.Overlay className="dialog-overlay" />
        <Dialog.Content className="dialog" aria-describedby={undefined}>
          <Dialog.Title>Keyboard shortcuts</Dialog.Title>
          {[...groups].map(([group, list]) => (
            <section key={group}>
              <h3>{group}</h3>
              <dl className="shortcut-list">
                {list.map((shortcut) => (
                  <div key={shortcut.keys} className="shortcut-row">
                    <dt>
                      <kbd>{keyLabel(shortcut.keys)}</kbd>
                    </dt>
                    <dd>{shortcut.label}</dd>
                  </div>
                ))}
              </dl>
            </section>
          ))}
          <Dialog.Close className="btn btn-secondary">Close</Dialog.Close>
        </Dialog.Content>
      </Dialog.Portal>
    </Dialog.Root>
  );
}
