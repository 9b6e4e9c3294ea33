import { useSuspenseQuery } from "@tanstack/react-query";
import { Link, Outlet } from "@tanstack/react-router";
import { useEffect } from "react";
import { onUnauthorized } from "../api/client.ts";
import { meQuery, useSignOut, useUpdateMe } from "../auth/queries.ts";
import { RealtimeProvider, useConnectionState } from "./realtime-context.tsx";

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
      <a href="#main" className="skip-link">
        Skip to content
      </a>
      <div className="shell">
        <TopBar />
        <main id="main" className="shell-main" tabIndex={-1}>
          <Outlet />
        </main>
      </div>
    </RealtimeProvider>
  );
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
        {me.role === "admin" && <span className="nav-placeholder" />}
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
