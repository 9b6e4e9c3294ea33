import assert from "node:assert/strict";
import { Writable } from "node:stream";
import { test } from "node:test";
import { loadConfig } from "../config.ts";
import { buildWorkspace, useTestApp } from "../test/harness.ts";
import { buildApp, redactUrl } from "./app.ts";

const ctx = useTestApp();
const TOKEN = "metrics-token-0123456789";

test("metrics count requests by route pattern and status, with process metrics", async () => {
  const ws = await buildWorkspace(ctx());
  const ticket = await ws.ticket();
  await ws.as(ws.admin).get(`/api/v1/tickets/${ticket.id}`);
  await ws.anonymous().get("/api/v1/tickets/1");
  const res = await ctx().app.inject({ method: "GET", url: "/metrics" });
  assert.equal(res.statusCode, 200);
  assert.match(res.headers["content-type"] as string, /^text\/plain/);
  const body = res.body;
  assert.match(
    body,
    /parley_http_request_duration_seconds_count\{method="GET",route="\/api\/v1\/tickets\/:id",status_code="200"\} \d+/,
  );
  assert.match(
    body,
    /parley_http_request_duration_seconds_count\{method="GET",route="\/api\/v1\/tickets\/:id",status_code="401"\} \d+/,
  );
  assert.ok(!body.includes(`/api/v1/tickets/${ticket.id}"`), "routes are labelled by pattern, not URL");
  assert.match(body, /parley_http_requests_in_flight \d+/);
  assert.match(body, /parley_websocket_connections 0/);
  assert.match(body, /process_cpu_user_seconds_total/);
});

test("without a token, metrics are refused to other hosts and to requests through a proxy", async () => {
  const remote = await ctx().app.inject({ method: "GET", url: "/metrics", remoteAddress: "203.0.113.7" });
  assert.equal(remote.statusCode, 403);
  assert.equal(remote.json().code, "forbidden");
  const proxied = await ctx().app.inject({
    method: "GET",
    url: "/metrics",
    headers: { "x-forwarded-for": "203.0.113.7" },
  });
  assert.equal(proxied.statusCode, 403);
});

test("with PARLEY_METRICS_TOKEN set, the scraper must send it as a bearer token", async () => {
  const config = loadConfig({ DATABASE_URL: process.env.DATABASE_URL, PARLEY_METRICS_TOKEN: TOKEN });
  const app = await buildApp({ database: ctx().database, config });
  try {
    const none = await app.inject({ method: "GET", url: "/metrics" });
    assert.equal(none.statusCode, 401);
    assert.equal(none.json().code, "unauthorized");
    const wrong = await app.inject({
      method: "GET",
      url: "/metrics",
      headers: { authorization: "Bearer nope" },
    });
    assert.equal(wrong.statusCode, 401);
    const right = await app.inject({
      method: "GET",
      url: "/metrics",
      remoteAddress: "203.0.113.7",
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    assert.equal(right.statusCode, 200);
  } finally {
    await app.close();
  }
  assert.throws(
    () => loadConfig({ PARLEY_METRICS_TOKEN: "short" }),
    /PARLEY_METRICS_TOKEN must be at least 16/,
  );
});

test("request logs never carry a token from the query string, an Authorization header or a cookie", async () => {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  const config = loadConfig({ DATABASE_URL: process.env.DATABASE_URL });
  const app = await buildApp({ database: ctx().database, config, logger: { level: "info", stream } });
  try {
    await app.inject({
      method: "GET",
      url: "/api/v1/tickets?token=pt_secret_in_url&status=open",
      headers: { authorization: "Bearer pt_secret_in_header", cookie: "parley_session=ps_secret_cookie" },
    });
  } finally {
    await app.close();
  }
  const log = lines.join("");
  assert.match(log, /token=\[redacted\]&status=open/);
  for (const secret of ["pt_secret_in_url", "pt_secret_in_header", "ps_secret_cookie"]) {
    assert.ok(!log.includes(secret), `${secret} leaked into the log`);
  }
  assert.equal(redactUrl("/a?x=1&access_token=abc#f"), "/a?x=1&access_token=[redacted]#f");
});
