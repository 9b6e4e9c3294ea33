import type { QueryClient } from "@tanstack/react-query";
import {
  createRootRouteWithContext,
  createRoute,
  createRouter,
  lazyRouteComponent,
  Outlet,
  redirect,
} from "@tanstack/react-router";
import { FIRST_ADMIN_SECTION } from "./admin/section-list.ts";
import { ApiError } from "./api/client.ts";
import { LoginPage } from "./auth/login-page.tsx";
import { meQuery } from "./auth/queries.ts";
import { InboxPage } from "./inbox/inbox-page.tsx";
import { prefetchInbox } from "./inbox/prefetch.ts";
import { AppShell } from "./shell/app-shell.tsx";
import { groupsQuery, usersQuery } from "./shell/directory.ts";
import { NotFoundPage } from "./shell/not-found-page.tsx";
import { prefetchTicket } from "./tickets/prefetch.ts";

interface RouterContext {
  queryClient: QueryClient;
}

const rootRoute = createRootRouteWithContext<RouterContext>()({
  component: Outlet,
  notFoundComponent: NotFoundPage,
});

const loginRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: "/login",
  validateSearch: (search: Record<string, unknown>) => ({
    next: typeof search.next === "string" && search.next.startsWith("/") ? search.next : undefined,
  }),
  component: LoginPage,
});

// Public too: an invited agent chooses their first password here (the link's #token=...).
const setPasswordRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: "/set-password",
  component: lazyRouteComponent(() => import("./auth/set-password-page.tsx"), "SetPasswordPage"),
});

// Everything but the sign-in page needs a signed-in agent; the shell holds the navigation and the
// realtime connection. Checked in a loader, not beforeLoad: the pages' loaders run beside it, so
// their data is asked for while /me is, not after (see prefetchInbox, prefetchTicket).
const signedInRoute = createRoute({
  getParentRoute: () => rootRoute,
  id: "signed-in",
  loader: async ({ context, location }) => {
    // Every page names agents and groups.
    void context.queryClient.prefetchQuery(usersQuery());
    void context.queryClient.prefetchQuery(groupsQuery());
    try {
      await context.queryClient.ensureQueryData(meQuery());
    } catch (error) {
      if (error instanceof ApiError && (error.status === 401 || error.status === 404)) {
        throw redirect({ to: "/login", search: { next: location.href } });
      }
      throw error;
    }
  },
  component: AppShell,
});

const indexRoute = createRoute({
  getParentRoute: () => signedInRoute,
  path: "/",
  loader: ({ context }) => prefetchInbox(context.queryClient, undefined),
  component: InboxPage,
});

const viewRoute = createRoute({
  getParentRoute: () => signedInRoute,
  path: "/views/$viewId",
  params: {
    parse: (params) => ({ viewId: Number(params.viewId) }),
    stringify: (params) => ({ viewId: String(params.viewId) }),
  },
  loader: ({ context, params }) => prefetchInbox(context.queryClient, params.viewId),
  component: InboxPage,
});

const ticketRoute = createRoute({
  getParentRoute: () => signedInRoute,
  path: "/tickets/$ticketId",
  params: {
    parse: (params) => ({ ticketId: Number(params.ticketId) }),
    stringify: (params) => ({ ticketId: String(params.ticketId) }),
  },
  // Not on hover (preload): hovering down the inbox would read every ticket it passes.
  loader: ({ context, params, preload }) => {
    if (!preload) prefetchTicket(context.queryClient, params.ticketId);
  },
  component: lazyRouteComponent(() => import("./tickets/ticket-page.tsx"), "TicketPage"),
});

const contactRoute = createRoute({
  getParentRoute: () => signedInRoute,
  path: "/contacts/$contactId",
  params: {
    parse: (params) => ({ contactId: Number(params.contactId) }),
    stringify: (params) => ({ contactId: String(params.contactId) }),
  },
  component: lazyRouteComponent(() => import("./contacts/contact-page.tsx"), "ContactPage"),
});

const organizationRoute = createRoute({
  getParentRoute: () => signedInRoute,
  path: "/organizations/$organizationId",
  params: {
    parse: (params) => ({ organizationId: Number(params.organizationId) }),
    stringify: (params) => ({ organizationId: String(params.organizationId) }),
  },
  component: lazyRouteComponent(() => import("./organizations/organization-page.tsx"), "OrganizationPage"),
});

const settingsRoute = createRoute({
  getParentRoute: () => signedInRoute,
  path: "/settings",
  component: lazyRouteComponent(() => import("./auth/settings-page.tsx"), "SettingsPage"),
});

const searchRoute = createRoute({
  getParentRoute: () => signedInRoute,
  path: "/search",
  validateSearch: (search: Record<string, unknown>): { q?: string } =>
    typeof search.q === "string" && search.q ? { q: search.q } : {},
  component: lazyRouteComponent(() => import("./search/search-page.tsx"), "SearchPage"),
});

// /admin alone opens the first section, so a typed or bookmarked /admin is never "Page not found".
const adminIndexRoute = createRoute({
  getParentRoute: () => signedInRoute,
  path: "/admin",
  beforeLoad: () => {
    throw redirect({ to: "/admin/$section", params: { section: FIRST_ADMIN_SECTION }, replace: true });
  },
});

// Admin pages: /admin/<section>, one per entry of ADMIN_SECTIONS (admin/admin-page.tsx).
const adminRoute = createRoute({
  getParentRoute: () => signedInRoute,
  path: "/admin/$section",
  // ?mailbox=<id> narrows Mail problems to one mailbox, so a link can point at its failures;
  // the other sections have no use for it.
  validateSearch: (search: Record<string, unknown>): { mailbox?: number } => {
    const mailbox =
      typeof search.mailbox === "string" || typeof search.mailbox === "number"
        ? Number(search.mailbox)
        : Number.NaN;
    return Number.isSafeInteger(mailbox) && mailbox > 0 ? { mailbox } : {};
  },
  component: lazyRouteComponent(() => import("./admin/admin-page.tsx"), "AdminPage"),
});

export const routeTree = rootRoute.addChildren([
  loginRoute,
  setPasswordRoute,
  signedInRoute.addChildren([
    indexRoute,
    viewRoute,
    ticketRoute,
    contactRoute,
    organizationRoute,
    settingsRoute,
    searchRoute,
    adminIndexRoute,
    adminRoute,
  ]),
]);

export function createAppRouter(queryClient: QueryClient) {
  return createRouter({
    routeTree,
    context: { queryClient },
    defaultPreload: "intent",
    scrollRestoration: true,
  });
}

declare module "@tanstack/react-router" {
  interface Register {
    router: ReturnType<typeof createAppRouter>;
  }
}
