import assert from "node:assert/strict";
import { test } from "node:test";
import { useTestApp } from "../test/harness.ts";
import { appIsBuilt } from "./web-app.ts";

// `npm install` builds the app (postinstall), so a clone that ran it has app/dist.
const ctx = useTestApp({}, { webApp: true });

test("the agent app is built by npm install", () => {
  assert.ok(appIsBuilt(), "app/dist/index.html is missing: run `npm install` or `npm run build:app`");
});

test("page paths get the app with a strict content security policy; API paths stay problem+json", async () => {
  const { app } = ctx();
  for (const url of ["/", "/tickets/12", "/views/3", "/login?next=%2Ftickets%2F1"]) {
    const page = await app.inject({ method: "GET", url, headers: { accept: "text/html" } });
    assert.equal(page.statusCode, 200, url);
    assert.match(page.headers["content-type"] as string, /text\/html/);
    assert.match(page.body, /<div id="root">/);
    assert.match(page.headers["content-security-policy"] as string, /script-src 'self'/);
    assert.equal(page.headers["x-frame-options"], "DENY");
  }
  const api = await app.inject({ method: "GET", url: "/api/v1/nope", headers: { accept: "text/html" } });
  assert.equal(api.statusCode, 404);
  assert.equal(api.json().code, "route_not_found");
  const json = await app.inject({
    method: "GET",
    url: "/tickets/12",
    headers: { accept: "application/json" },
  });
  assert.equal(json.statusCode, 404);
  const post = await app.inject({ method: "POST", url: "/tickets/12", headers: { accept: "text/html" } });
  assert.equal(post.statusCode, 404);
});

test("hashed assets are served compressed and cached for a year without signing in", async () => {
  const { app } = ctx();
  const page = await app.inject({ method: "GET", url: "/", headers: { accept: "text/html" } });
  const script = /src="(\/assets\/[^"]+\.js)"/.exec(page.body)?.[1];
  assert.ok(script, "index.html names its script");
  const asset = await app.inject({ method: "GET", url: script, headers: { "accept-encoding": "gzip" } });
  assert.equal(asset.statusCode, 200);
  assert.equal(asset.headers["content-encoding"], "gzip");
  assert.match(asset.headers["cache-control"] as string, /immutable/);
  const missing = await app.inject({ method: "GET", url: "/assets/nope.js" });
  assert.equal(missing.statusCode, 404);
});

test("the favicon is served, and /favicon.ico points at it", async () => {
  const { app } = ctx();
  const page = await app.inject({ method: "GET", url: "/", headers: { accept: "text/html" } });
  assert.match(page.body, /<link rel="icon" href="\/favicon.svg"/);
  const icon = await app.inject({ method: "GET", url: "/favicon.svg" });
  assert.equal(icon.statusCode, 200);
  assert.match(icon.headers["content-type"] as string, /image\/svg\+xml/);
  const ico = await app.inject({ method: "GET", url: "/favicon.ico" });
  assert.equal(ico.statusCode, 301);
  assert.equal(ico.headers.location, "/favicon.svg");
});
