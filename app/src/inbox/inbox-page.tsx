import { useQuery } from "@tanstack/react-query";
import { useNavigate, useParams, useRouter } from "@tanstack/react-router";
import { useEffect } from "react";
import { errorMessage } from "../api/client.ts";
import { viewsQuery } from "./queries.ts";
import { ViewSidebar } from "./view-sidebar.tsx";
import { ViewWorkspace } from "./view-workspace.tsx";
import "./inbox.css";

export function InboxPage() {
  const params = useParams({ strict: false }) as { viewId?: number };
  const navigate = useNavigate();
  const router = useRouter();
  const views = useQuery(viewsQuery());
  const viewId = params.viewId ?? views.data?.[0]?.id;
  const view = views.data?.find((v) => v.id === viewId);

  useEffect(() => {
    // The views may arrive after the agent clicked elsewhere (Admin, a search) while this page is
    // still shown: that navigation is pending, and sending them to the first view would undo it.
    if (router.latestLocation.pathname !== "/") return;
    if (params.viewId === undefined && viewId !== undefined) {
      void navigate({ to: "/views/$viewId", params: { viewId }, replace: true });
    }
  }, [params.viewId, viewId, navigate, router]);

  return (
    <div className="inbox">
      <ViewSidebar views={views.data ?? []} activeId={viewId} />
      <section className="inbox-main" aria-labelledby="view-title">
        {views.error && <p role="alert">{errorMessage(views.error)}</p>}
        {view ? (
          // Keyed by view: sort, filters, selection and highlight start afresh in another view.
          <ViewWorkspace key={view.id} view={view} />
        ) : views.isPending ? (
          <p role="status">Loading views…</p>
        ) : (
          <h1 id="view-title" className="view-title">
            This view does not exist, or it is someone else's.
          </h1>
        )}
      </section>
    </div>
  );
}
