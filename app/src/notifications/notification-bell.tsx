import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useNavigate } from "@tanstack/react-router";
import { Popover } from "radix-ui";
import { useEffect, useState } from "react";
import { errorMessage } from "../api/client.ts";
import { useRealtime } from "../shell/realtime-context.tsx";
import { formatDateTime, formatRelative } from "../ui/format.ts";
import {
  type AppNotification,
  notificationKeys,
  recentNotificationsQuery,
  unreadCountQuery,
  useMarkAllRead,
  useMarkRead,
} from "./queries.ts";
import "./notifications.css";

// The server pushes {type: "notification"} to this user's sockets only when one of their
// notifications is created or read (any tab); after a reconnect we may have missed some.
function useLiveNotifications() {
  const connection = useRealtime();
  const queryClient = useQueryClient();
  useEffect(
    () =>
      connection.subscribe((message) => {
        if (message.type === "notification" || message.type === "ready") {
          void queryClient.invalidateQueries({ queryKey: notificationKeys.all() });
        }
      }),
    [connection, queryClient],
  );
}

export function NotificationBell() {
  useLiveNotifications();
  const [open, setOpen] = useState(false);
  const count = useQuery(unreadCountQuery()).data ?? 0;
  const label = count === 0 ? "Notifications, none unread" : `Notifications, ${count} unread`;
  return (
    <Popover.Root open={open} onOpenChange={setOpen}>
      <Popover.Trigger className="btn btn-ghost notification-bell" aria-label={label}>
        <BellIcon />
        {count > 0 && (
          <span className="notification-badge" aria-hidden="true">
            {count > 99 ? "99+" : count}
          </span>
        )}
      </Popover.Trigger>
      <Popover.Portal>
        <Popover.Content
          className="notification-popover"
          aria-label="Notifications"
          align="end"
          sideOffset={6}
        >
          <NotificationList unread={count} onClose={() => setOpen(false)} />
        </Popover.Content>
      </Popover.Portal>
    </Popover.Root>
  );
}

function NotificationList({ unread, onClose }: { unread: number; onClose: () => void }) {
  const list = useQuery(recentNotificationsQuery());
  const markRead = useMarkRead();
  const markAll = useMarkAllRead();
  const navigate = useNavigate();
  const open = (n: AppNotification) => {
    if (!n.readAt) markRead.mutate([n.id]);
    onClose();
    void navigate({ to: "/tickets/$ticketId", params: { ticketId: n.ticket.id } });
  };
  return (
    <div className="notification-panel">
      <div className="notification-head">
        <h2>Notifications</h2>
        <button
          type="button"
          className="btn btn-ghost btn-small"
          disabled={unread === 0 || markAll.isPending}
          onClick={() => markAll.mutate()}
        >
          Mark all read
        </button>
      </div>
      {list.isPending && <p className="muted">Loading…</p>}
      {list.error && (
        <p className="field-error" role="alert">
          {errorMessage(list.error)}
        </p>
      )}
      {list.data?.length === 0 && <p className="muted">Nothing yet.</p>}
      {list.data && list.data.length > 0 && (
        <ul className="notification-list">
          {list.data.map((n) => (
            <li key={n.id}>
              <button
                type="button"
                className="notification-item"
                data-unread={n.readAt === null}
                onClick={() => open(n)}
              >
                <span className="notification-what">
                  {n.readAt === null && <span className="sr-only">Unread: </span>}
                  {describe(n)}
                </span>
                <span className="notification-ticket">
                  #{n.ticket.number} {n.ticket.subject}
                </span>
                {n.excerpt && <span className="notification-excerpt">{n.excerpt}</span>}
                <time dateTime={n.createdAt} title={formatDateTime(n.createdAt)}>
                  {formatRelative(n.createdAt)}
                </time>
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

function describe(n: AppNotification) {
  const who = n.actor?.name ?? "Parley";
  if (n.kind === "ticket_assigned") return `${who} assigned you a ticket`;
  if (n.kind === "mentioned") return `${who} mentioned you`;
  return `${who}: ${n.kind.replaceAll("_", " ")}`;
}

function BellIcon() {
  return (
    <svg viewBox="0 0 24 24" width="18" height="18" aria-hidden="true" focusable="false">
      <path
        fill="currentColor"
        d="M12 22a2.5 2.5 0 0 0 2.45-2h-4.9A2.5 2.5 0 0 0 12 22Zm7-6V11a7 7 0 0 0-5.5-6.84V3.5a1.5 1.5 0 0 0-3 0v.66A7 7 0 0 0 5 11v5l-2 2v1h18v-1l-2-2Z"
      />
    </svg>
  );
}
