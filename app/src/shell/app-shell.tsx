import { useSuspenseQuery } from "@tanstack/react-query";
import { Link, Outlet, useNavigate } from "@tanstack/react-router";
import { useEffect } from "react";
import { onUnauthorized } from "../api/client.ts";
import { meQuery, useSignOut, useUpdateMe } from "../auth/queries.ts";
import { RealtimeProvider, useConnectionState } from "./realtime-context.tsx";
import { ShortcutHelp } from "./shortcut-help.tsx";
import { ShortcutProvider, useShortcuts } from "./shortcuts.tsx";

export function AppShell() {
  useEffect(() => {
    const stop = onUnauthorized(() => {
      window.location.assign(`/login?next=${encodeURIComponent(location.pathname)}`);
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
  ]);
  return null;
}

function TopBar() {
  const { data: me } = useSuspenseQuery(meQuery());
  const signOut = useSignOut();
  const updateMe = useUpdateMe();
  const connection = useConnectionState();
  return (
    <header className="topbar">
      <nav aria-label="Main" className="topbar-nav">
        <Link to="/" className="brand">
          Parley
        </Link>
        <Link to="/" activeOptions={{ exact: true }}>
          Inbox
        </Link>
        <Link to="/search">Search</Link>
        {me.role === "admin" && (
          <Link to="/admin/$section" params={{ section: "agents" }}>
            Admin
          </Link>
        )}
      </nav>
      <div className="topbar-right">
        <span className={`connection connection-${connection}`} role="status">
          {connection === "open" ? "Live" : connection === "connecting" ? "Connecting…" : "Offline, retrying"}
        </span>
        <label className="availability">
          <span className="sr-only">Availability</span>
          <select
            value={me.availability}
            onChange={(event) => updateMe.mutate({ availability: event.target.value as "online" | "away" })}
          >
            <option value="online">Online</option>
            <option value="away">Away</option>
            <option value="offline">Offline</option>
          </select>
        </label>
        <Link to="/settings" aria-label={`Settings for ${me.name}`}>
          {me.name}
        </Link>
        <button type="button" className="btn btn-ghost" onClick={() => signOut.mutate()}>
          Sign out
        </button>
      </div>
    </header>
  );
}
