import { useSuspenseQuery } from "@tanstack/react-query";
import { Link, Outlet, useNavigate, useRouter } from "@tanstack/react-router";
import { useEffect, useState } from "react";
import { errorMessage, leaveForSignIn, onUnauthorized } from "../api/client.ts";
import type { User } from "../api/types.ts";
import { meQuery, useAvailability, useSignOut } from "../auth/queries.ts";
import { NotificationBell } from "../notifications/notification-bell.tsx";
import { NewTicketDialog } from "../tickets/new/new-ticket-dialog.tsx";
import { setDisplayTimeZone } from "../ui/format.ts";
import { RealtimeProvider, useConnectionState } from "./realtime-context.tsx";
import { useRouteFocus } from "./route-focus.ts";
import { ShortcutHelp } from "./shortcut-help.tsx";
import { ShortcutProvider, useShortcuts } from "./shortcuts.tsx";

export function AppShell() {
  const { data: me } = useSuspenseQuery(meQuery());
  // Set while rendering, before the pages below format any time.
  setDisplayTimeZone(me.timeZone);
  useRouteFocus();
  useEffect(() => {
    const stop = onUnauthorized(() => {
      leaveForSignIn(`/login?next=${encodeURIComponent(location.pathname)}`);
    });
    return () => {
      stop();
    };
  }, []);
  return (
    <RealtimeProvider>
      <ShortcutProvider>
        <a href="#main" className="skip-link">
          Skip to content
        </a>
        <div className="shell">
          <TopBar />
          <main id="main" className="shell-main" tabIndex={-1}>
            <Outlet />
          </main>
        </div>
        <GlobalShortcuts />
        <ShortcutHelp />
      </ShortcutProvider>
    </RealtimeProvider>
  );
}

function GlobalShortcuts() {
  const navigate = useNavigate();
  useShortcuts([
    { keys: "g i", label: "Go to the inbox", group: "Global", run: () => void navigate({ to: "/" }) },
    { keys: "/", label: "Search", group: "Global", run: () => void navigate({ to: "/search" }) },
    {
      keys: "g s",
      label: "Go to your settings",
      group: "Global",
      run: () => void navigate({ to: "/settings" }),
    },
  ]);
  return null;
}

// On a narrow screen (a tablet held upright) the navigation folds behind a Menu button.
function useMenu() {
  const router = useRouter();
  const [open, setOpen] = useState(false);
  useEffect(() => router.subscribe("onResolved", () => setOpen(false)), [router]);
  useEffect(() => {
    if (!open) return;
    const onKey = (event: KeyboardEvent) => event.key === "Escape" && setOpen(false);
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [open]);
  return { open, toggle: () => setOpen((o) => !o) };
}

function TopBar() {
  const { data: me } = useSuspenseQuery(meQuery());
  const signOut = useSignOut();
  const menu = useMenu();
  return (
    <header className="topbar">
      <Link to="/" className="brand">
        Parley
      </Link>
      <button
        type="button"
        className="btn btn-ghost menu-toggle"
        aria-expanded={menu.open}
        aria-controls="topbar-menu"
        onClick={menu.toggle}
      >
        Menu
      </button>
      <div id="topbar-menu" className="topbar-menu" data-open={menu.open}>
        <nav aria-label="Main" className="topbar-nav">
          <Link to="/" activeOptions={{ exact: true }}>
            Inbox
          </Link>
          <Link to="/search">Search</Link>
          {me.role === "admin" && <Link to="/admin">Admin</Link>}
        </nav>
        {/* Light agents may only add notes: the API refuses them a new ticket. */}
        {me.role !== "light_agent" && <NewTicketButton />}
        <div className="topbar-right">
          <ConnectionStatus />
          <NotificationBell />
          <AvailabilityPicker me={me} />
          <Link to="/settings" className="account-link" title={me.name}>
            {/* The name comes from the hidden text, not aria-label: an aria-label that leaves out
                the visible initials fails WCAG 2.5.3 (label in name). */}
            <span className="avatar" aria-hidden="true">
              {initials(me.name)}
            </span>
            <span className="sr-only">Settings for {me.name}</span>
          </Link>
          <button type="button" className="btn btn-ghost" onClick={() => signOut.mutate()}>
            Sign out
          </button>
        </div>
      </div>
    </header>
  );
}

// The realtime connection, not the agent's availability: labelled "Updates" so a green "Live"
// beside "Availability: Offline" reads as two different things.
// Opens the new-ticket form from any page; `c` does the same from the keyboard.
function NewTicketButton() {
  const [open, setOpen] = useState(false);
  useShortcuts([{ keys: "c", label: "New ticket", group: "Global", run: () => setOpen(true) }]);
  return (
    <>
      <button type="button" className="btn btn-primary new-ticket-button" onClick={() => setOpen(true)}>
        New ticket
      </button>
      {open && <NewTicketDialog onClose={() => setOpen(false)} />}
    </>
  );
}

function ConnectionStatus() {
  const connection = useConnectionState();
  const state =
    connection === "open" ? "Live" : connection === "connecting" ? "Connecting…" : "Reconnecting…";
  return (
    <span
      className={`connection connection-${connection}`}
      role="status"
      title={
        connection === "open"
          ? "Changes by teammates appear as they happen."
          : "The live connection is down: changes by teammates show after it comes back."
      }
    >
      <span className="connection-label">Updates:</span> {state}
    </span>
  );
}

// The avatar stands for the signed-in agent, so their name is not printed beside the "Admin" link
// (the first admin is called Admin).
function initials(name: string) {
  const words = name.trim().split(/\s+/).filter(Boolean);
  const letters = words.length > 1 ? [words[0][0], words[words.length - 1][0]] : [words[0]?.[0] ?? "?"];
  return letters.join("").toUpperCase();
}

// Saved on the agent's profile, so teammates see who is around (agent lists, assignment).
function AvailabilityPicker({ me }: { me: User }) {
  const availability = useAvailability(me.availability);
  return (
    <span className="availability">
      <label htmlFor="availability" className="availability-label">
        Availability
      </label>
      <span className={`availability-dot availability-${availability.value}`} aria-hidden="true" />
      <select
        id="availability"
        value={availability.value}
        onChange={(event) => availability.choose(event.target.value as User["availability"])}
      >
        <option value="online">Online</option>
        <option value="away">Away</option>
        <option value="offline">Offline</option>
      </select>
      {availability.error && (
        <span className="field-error" role="alert">
          {errorMessage(availability.error)}
        </span>
      )}
    </span>
  );
}
