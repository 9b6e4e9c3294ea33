import type { FastifyRequest } from "fastify";
import { AppError } from "./errors.ts";

const UNSAFE = new Set(["POST", "PUT", "PATCH", "DELETE"]);

const crossOrigin = () =>
  new AppError(
    403,
    "cross_origin_request",
    "This request came from a page on another origin; Parley accepts cookie-authenticated writes only from its own pages.",
  );

// A browser sends the session cookie with every request to Parley's host, including a form or
// fetch POST from a page on another origin of the same site (another port on the same host,
// a sibling subdomain), which SameSite=Lax does not stop. Such a write with no body, or a
// text/plain one, needs no CORS preflight, so the page could sign an agent out or retry mail in
// their name. Every unsafe request without an Authorization header (a page cannot add one
// cross-origin without a preflight, which Parley never grants) must therefore come from
// Parley's own origin, told by the browser's Sec-Fetch-Site or Origin header. The same rule as
// Go's net/http CrossOriginProtection: a request carrying neither header is not from a browser
// page (browsers send Origin on every cross-origin POST, PUT, PATCH and DELETE), so scripts that
// hold a session cookie keep working.
export function checkCrossOrigin(req: FastifyRequest, publicOrigin: string) {
  if (!UNSAFE.has(req.method) || req.headers.authorization) return;
  const fetchSite = req.headers["sec-fetch-site"];
  if (fetchSite === "same-origin" || fetchSite === "none") return;
  const origin = req.headers.origin;
  if (origin === undefined) {
    if (fetchSite === undefined) return;
    throw crossOrigin();
  }
  if (origin === publicOrigin || origin === ownOrigin(req)) return;
  throw crossOrigin();
}

// The origin the request was sent to, as the browser would write it. Behind a proxy that
// rewrites Host, PARLEY_PUBLIC_URL is the origin that matches instead.
function ownOrigin(req: FastifyRequest): string | null {
  try {
    return new URL(`${req.protocol}://${req.host}`).origin;
  } catch {
    return null;
  }
}
