import { useSuspenseQuery } from "@tanstack/react-query";
import { Link, useNavigate } from "@tanstack/react-router";
import { AlertDialog } from "radix-ui";
import { useState } from "react";
import { errorMessage } from "../api/client.ts";
import { meQuery } from "../auth/queries.ts";
import { Button, IconButton } from "../ui/button.tsx";
import { useDeleteView } from "./queries.ts";
import type { InboxView } from "./types.ts";

// Shared views first (the team's), then the agent's own, each with its live count: the counts
// come with GET /api/v1/views, refetched whenever a realtime ticket event invalidates ["views"].
export function ViewSidebar({ views, activeId }: { views: InboxView[]; activeId: number | undefined }) {
  const { data: me } = useSuspenseQuery(meQuery());
  const shared = views.filter((view) => view.shared);
  const mine = views.filter((view) => !view.shared && view.ownerId === me.id);
  return (
    <nav className="view-list" aria-label="Views">
      <h2 className="sidebar-title" id="shared-views">
        Views
      </h2>
      <ul aria-labelledby="shared-views">
        {shared.map((view) => (
          <ViewItem key={view.id} view={view} />
        ))}
      </ul>
      <h2 className="sidebar-title" id="my-views">
        My views
      </h2>
      {mine.length === 0 ? (
        <p className="sidebar-hint">Filter a view and save it to keep it here.</p>
      ) : (
        <ul aria-labelledby="my-views">
          {mine.map((view) => (
            <ViewItem key={view.id} view={view} deletable active={view.id === activeId} />
          ))}
        </ul>
      )}
    </nav>
  );
}

function ViewItem({ view, deletable, active }: { view: InboxView; deletable?: boolean; active?: boolean }) {
  return (
    <li className="view-item">
      <Link to="/views/$viewId" params={{ viewId: view.id }} className="view-link">
        <span className="view-name">{view.name}</span>
        <span className="count">
          {view.count}
          {view.countCapped ? "+" : ""}
          <span className="sr-only"> tickets</span>
        </span>
      </Link>
      {deletable && <DeleteView view={view} active={active ?? false} />}
    </li>
  );
}

function DeleteView({ view, active }: { view: InboxView; active: boolean }) {
  const [open, setOpen] = useState(false);
  const remove = useDeleteView();
  const navigate = useNavigate();
  return (
    <AlertDialog.Root open={open} onOpenChange={setOpen}>
      <AlertDialog.Trigger asChild>
        <IconButton label={`Delete view ${view.name}`} className="view-delete">
          ×
        </IconButton>
      </AlertDialog.Trigger>
      <AlertDialog.Portal>
        <AlertDialog.Overlay className="dialog-overlay" />
        <AlertDialog.Content className="dialog">
          <AlertDialog.Title>Delete “{view.name}”?</AlertDialog.Title>
          <AlertDialog.Description>The view goes away; its tickets stay as they are.</AlertDialog.Description>
          {remove.error && <p role="alert">{errorMessage(remove.error)}</p>}
          <div className="dialog-actions">
            <AlertDialog.Cancel asChild>
              <Button>Keep it</Button>
            </AlertDialog.Cancel>
            <Button
              variant="danger"
              disabled={remove.isPending}
              onClick={() =>
                remove.mutate(view.id, {
                  onSuccess: () => {
                    setOpen(false);
                    if (active) void navigate({ to: "/" });
                  },
                })
              }
            >
              Delete view
            </Button>
          </div>
        </AlertDialog.Content>
      </AlertDialog.Portal>
    </AlertDialog.Root>
  );
}
