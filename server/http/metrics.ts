import { timingSafeEqual } from "node:crypto";
import type { FastifyInstance, FastifyRequest } from "fastify";
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";
import { forbidden, unauthorized } from "./errors.ts";

// One registry per app rather than prom-client's global one, so tests (and two instances in one
// process) each count their own traffic without "metric already registered" errors.
export interface Metrics {
  registry: Registry;
  httpDuration: Histogram<"method" | "route" | "status_code">;
  httpInFlight: Gauge;
  jobsProcessed: Counter<"queue">;
  jobsFailed: Counter<"queue">;
  websocketConnections: Gauge;
  eventBusLag: Histogram;
  eventBusReconnects: Counter;
}

export function createMetrics(): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return {
    registry,
    httpDuration: new Histogram({
      name: "parley_http_request_duration_seconds",
      help: "HTTP request duration by route pattern and status code",
      labelNames: ["method", "route", "status_code"],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    httpInFlight: new Gauge({
      name: "parley_http_requests_in_flight",
      help: "HTTP requests being handled now",
      registers: [registry],
    }),
    jobsProcessed: new Counter({
      name: "parley_jobs_processed_total",
      help: "Jobs whose handler finished without error, by queue",
      labelNames: ["queue"],
      registers: [registry],
    }),
    jobsFailed: new Counter({
      name: "parley_jobs_failed_total",
      help: "Job attempts whose handler threw (each retry counts), by queue",
      labelNames: ["queue"],
      registers: [registry],
    }),
    websocketConnections: new Gauge({
      name: "parley_websocket_connections",
      help: "Open realtime websocket connections on this instance",
      registers: [registry],
    }),
    eventBusLag: new Histogram({
      name: "parley_event_bus_lag_seconds",
      help: "Time from a ticket event's transaction to this instance handling its notice",
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [registry],
    }),
    eventBusReconnects: new Counter({
      name: "parley_event_bus_reconnects_total",
      help: "Times the LISTEN connection to PostgreSQL was lost and opened again",
      registers: [registry],
    }),
  };
}

const started = new WeakMap<FastifyRequest, bigint>();

// Hooks on the root instance so every route is timed. Routes are labelled by their pattern
// (/api/v1/tickets/:id), never the raw URL, to keep the label set small and free of ids and tokens.
export function registerMetrics(app: FastifyInstance, metrics: Metrics, token: string | null) {
  app.addHook("onRequest", async (req) => {
    // A websocket upgrade is a connection, not a request: it is counted by its own gauge.
    if (req.headers.upgrade) return;
    started.set(req, process.hrtime.bigint());
    metrics.httpInFlight.inc();
  });
  app.addHook("onResponse", async (req, reply) => {
    const start = started.get(req);
    if (start === undefined) return;
    started.delete(req);
    metrics.httpInFlight.dec();
    metrics.httpDuration.observe(
      {
        method: req.method,
        route: req.routeOptions.url ?? "unmatched",
        status_code: String(reply.statusCode),
      },
      Number(process.hrtime.bigint() - start) / 1e9,
    );
  });

  app.get("/metrics", { config: { public: true }, schema: { hide: true } }, async (req, reply) => {
    checkMetricsAccess(req, token);
    reply.header("content-type", metrics.registry.contentType);
    return metrics.registry.metrics();
  });
}

// With PARLEY_METRICS_TOKEN set, the scraper must present it. Without it, only a scraper on this
// host may read: a request that came through a reverse proxy (forwarding headers) is refused
// even though the proxy connects from loopback, or the proxy would publish the metrics.
function checkMetricsAccess(req: FastifyRequest, token: string | null) {
  if (token) {
    const match = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? "");
    if (!match || !sameSecret(match[1], token))
      throw unauthorized("Send the metrics token as a bearer token.");
    return;
  }
  const forwarded = req.headers["x-forwarded-for"] || req.headers.forwarded;
  if (forwarded || !isLoopback(req.socket.remoteAddress)) {
    throw forbidden("Metrics are served to this host only; set PARLEY_METRICS_TOKEN to scrape remotely.");
  }
}

function sameSecret(given: string, expected: string) {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

function isLoopback(address: string | undefined) {
  if (!address) return false;
  return address === "::1" || address.startsWith("127.") || address.startsWith("::ffff:127.");
}
