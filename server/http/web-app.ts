import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import fastifyStatic from "@fastify/static";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";

export const APP_DIST_DIR = join(import.meta.dirname, "..", "..", "app", "dist");

// Paths the server itself answers: a miss under these is an API 404, never the app's page.
const SERVER_PATHS = ["/api", "/metrics", "/healthz", "/readyz"];

// The browser may load only this origin's scripts, styles and images (plus data:/blob: images
// for pasted screenshots) and talk only to this origin, so injected markup cannot phone home.
const APP_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "connect-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "frame-src 'none'",
  "frame-ancestors 'none'",
  "base-uri 'self'",
  "form-action 'self'",
].join("; ");

function securityHeaders(reply: FastifyReply) {
  reply.header("content-security-policy", APP_CSP);
  reply.header("x-content-type-options", "nosniff");
  reply.header("referrer-policy", "same-origin");
  reply.header("x-frame-options", "DENY");
}

export function wantsAppPage(req: FastifyRequest): boolean {
  if (req.method !== "GET" && req.method !== "HEAD") return false;
  const path = req.url.split("?")[0];
  if (SERVER_PATHS.some((prefix) => path === prefix || path.startsWith(`${prefix}/`))) return false;
  return (req.headers.accept ?? "").includes("text/html");
}

// Read once: index.html is small, and the asset names it points at are fixed until the next build,
// which needs a restart anyway (the static routes are listed at start).
let indexHtml: string | null = null;

export function sendAppPage(reply: FastifyReply) {
  indexHtml ??= readFileSync(join(APP_DIST_DIR, "index.html"), "utf8");
  securityHeaders(reply);
  return reply.header("cache-control", "no-cache").type("text/html; charset=utf-8").send(indexHtml);
}

// Serves the built agent app (app/dist) at /. Hashed assets are cached for a year; index.html
// is revalidated so a deploy takes effect on the next load. Every page path the router knows
// (/tickets/12, /views/3) gets index.html from the not-found handler (server/http/errors.ts).
export function appIsBuilt(root = APP_DIST_DIR) {
  return existsSync(join(root, "index.html"));
}

export async function webAppRoutes(app: FastifyInstance) {
  const root = APP_DIST_DIR;
  // The app's files are public: they hold no data, and the sign-in page is one of them.
  app.addHook("onRoute", (route) => {
    route.config = { ...(route.config ?? {}), public: true };
  });
  await app.register(fastifyStatic, {
    root,
    prefix: "/",
    wildcard: false,
    index: false,
    // app/build.ts writes .br and .gz beside each asset.
    preCompressed: true,
    cacheControl: false,
    setHeaders(reply: FastifyReply, path: string) {
      const hashed = path.includes(join("dist", "assets"));
      reply.header("cache-control", hashed ? "public, max-age=31536000, immutable" : "no-cache");
    },
  });
  app.get("/", (_req, reply) => sendAppPage(reply));
  // The page links /favicon.svg; browsers and tools that ask for the old name get sent there
  // rather than a 404 in the console.
  app.get("/favicon.ico", (_req, reply) => reply.redirect("/favicon.svg", 301));
}
