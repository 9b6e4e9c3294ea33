import type { FastifyReply, FastifyRequest } from "fastify";

// An API answer is data, never a page: if a browser is tricked into rendering one (a JSON error
// that echoes input, a 404), it may run nothing, load nothing and be framed by nobody.
export const API_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

// Swagger UI at /api/docs: its page, scripts and styles come from /api/docs/static, it fetches the
// OpenAPI document from /api/docs/json, styles some elements inline and draws icons as data:
// images. Nothing else: no inline script, no eval, no other host (its online validator is off,
// server/http/openapi.ts).
export const DOCS_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "frame-ancestors 'none'",
  "base-uri 'self'",
  "form-action 'none'",
].join("; ");

const DOCS_PREFIX = "/api/docs";

// On every answer that has not set its own (the agent app's page and attachments do): JSON,
// problem+json errors, 404s, the API reference and the app's static files.
export async function addSecurityHeaders(req: FastifyRequest, reply: FastifyReply) {
  setSecurityHeaders(req, reply);
}

export function setSecurityHeaders(req: FastifyRequest, reply: FastifyReply) {
  if (!reply.hasHeader("content-security-policy")) {
    const path = req.url.split("?")[0];
    const docs = path === DOCS_PREFIX || path.startsWith(`${DOCS_PREFIX}/`);
    reply.header("content-security-policy", docs ? DOCS_CSP : API_CSP);
  }
  if (!reply.hasHeader("x-content-type-options")) reply.header("x-content-type-options", "nosniff");
  if (!reply.hasHeader("x-frame-options")) reply.header("x-frame-options", "DENY");
  if (!reply.hasHeader("referrer-policy")) reply.header("referrer-policy", "no-referrer");
}
