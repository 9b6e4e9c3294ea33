import assert from "node:assert/strict";
import { test } from "node:test";
import { buildWorkspace, useTestApp } from "../test/harness.ts";

// Parley's own origin in these tests: PARLEY_PUBLIC_URL, and the Host that app.inject sends.
const ctx = useTestApp({ PARLEY_PUBLIC_URL: "https://desk.example.test" });
const OTHER_PORT = "http://localhost:8081";

async function stillSignedIn(ws: Awaited<ReturnType<typeof buildWorkspace>>, user: { cookie: string }) {
  return (await ws.as(user as never).get("/api/v1/me")).statusCode === 200;
}

test("a cookie write from a page on another port of the same host is 403 cross_origin_request", async () => {
  const ws = await buildWorkspace(ctx());
  const agent = await ws.agent();
  const as = ws.as(agent);
  // Sign-out takes no body: a plain cross-origin form could send it without a preflight.
  const logout = await as.request("POST", "/api/v1/auth/logout", undefined, { origin: OTHER_PORT });
  assert.equal(logout.statusCode, 403, logout.body);
  assert.equal(logout.json().code, "cross_origin_request");
  assert.equal(logout.headers["content-type"], "application/problem+json; charset=utf-8");
  assert.equal(logout.headers["set-cookie"], undefined);
  assert.ok(await stillSignedIn(ws, agent));
  // A text/plain body is another kind of request a page may send anywhere without asking.
  const textPlain = await as.request("POST", "/api/v1/notifications/read-all", "{}", {
    origin: OTHER_PORT,
    "sec-fetch-site": "same-site",
    "content-type": "text/plain",
  });
  assert.equal(textPlain.statusCode, 403, textPlain.body);
  assert.equal(textPlain.json().code, "cross_origin_request");
  for (const method of ["PATCH", "DELETE"] as const) {
    const res = await as.request(method, "/api/v1/me", { name: "Mallory" }, { origin: "null" });
    assert.equal(res.statusCode, 403, `${method}: ${res.body}`);
  }
  // Sec-Fetch-Site alone is enough to tell: a cross-site request that hides its Origin.
  const hidden = await as.request("POST", "/api/v1/auth/logout", undefined, {
    "sec-fetch-site": "cross-site",
  });
  assert.equal(hidden.statusCode, 403, hidden.body);
  assert.ok(await stillSignedIn(ws, agent));
});

test("sign-in from another origin is refused, so a page cannot sign a visitor in as someone else", async () => {
  const ws = await buildWorkspace(ctx());
  const agent = await ws.agent({ password: "correct horse battery" });
  const res = await ws
    .anonymous()
    .post(
      "/api/v1/auth/login",
      { email: agent.email, password: "correct horse battery" },
      { origin: OTHER_PORT },
    );
  assert.equal(res.statusCode, 403, res.body);
  assert.equal(res.json().code, "cross_origin_request");
});

test("writes from Parley's own origin, from a client that is not a browser page, or with a token pass", async () => {
  const ws = await buildWorkspace(ctx());
  const agent = await ws.agent();
  const as = ws.as(agent);
  const write = (headers: Record<string, string>) =>
    as.request("PATCH", "/api/v1/me", { signature: "Cheers" }, headers);
  // The agent app's fetch: same-origin by the browser's own account, Origin the public URL.
  assert.equal(
    (await write({ "sec-fetch-site": "same-origin", origin: "https://desk.example.test" })).statusCode,
    200,
  );
  // A browser that sends Origin but not Sec-Fetch-Site; the Host it was sent to is Parley's.
  assert.equal((await write({ origin: "https://desk.example.test" })).statusCode, 200);
  assert.equal((await write({ origin: "http://localhost" })).statusCode, 200);
  // curl, scripts and app.inject send neither header: no page is involved.
  assert.equal((await write({})).statusCode, 200);
  // A typed URL or bookmark: the user started it.
  assert.equal((await write({ "sec-fetch-site": "none" })).statusCode, 200);
  // A token cannot ride along on a cross-origin request: the page would have to add the header.
  const created = await as.post("/api/v1/api-tokens", { name: "script", scopes: ["read", "write"] });
  assert.equal(created.statusCode, 201, created.body);
  const withToken = await ws.anonymous().request(
    "PATCH",
    "/api/v1/me",
    { signature: "Bye" },
    {
      authorization: `Bearer ${created.json().token}`,
      origin: OTHER_PORT,
      "sec-fetch-site": "cross-site",
    },
  );
  assert.equal(withToken.statusCode, 200, withToken.body);
  // Reads are not writes: a cross-origin GET cannot read the answer anyway.
  assert.equal(
    (await as.get("/api/v1/me", { origin: OTHER_PORT, "sec-fetch-site": "same-site" })).statusCode,
    200,
  );
});
