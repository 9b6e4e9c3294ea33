import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import { after, before, test } from "node:test";
import type { Page } from "playwright-core";
import { freePort } from "../../server/test/free-port.ts";
import { useE2e } from "./harness.ts";

const e2e = useE2e();

// A page on another port of the same host: the same site as Parley, so the browser sends the
// SameSite=Lax session cookie with its requests, but not the same origin.
let neighbour: { server: Server; url: string };
before(async () => {
  const port = await freePort();
  const server = createServer((req, res) => {
    const target = new URL(req.url ?? "/", "http://neighbour").searchParams.get("target") ?? "";
    res.setHeader("content-type", "text/html");
    // A form post needs no preflight and takes no body.
    res.end(`<!doctype html><title>neighbour</title>
      <form id="signout" method="post" action="${target}/api/v1/auth/logout"></form>`);
  });
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  neighbour = { server, url: `http://127.0.0.1:${port}` };
});
after(() => new Promise<void>((resolve) => neighbour.server.close(() => resolve())));

async function stillSignedIn(page: Page) {
  await page.reload();
  await page.getByRole("navigation", { name: "Views" }).waitFor();
  assert.equal(await page.evaluate(async () => (await fetch("/api/v1/me")).status), 200);
}

test("a page on another port cannot sign the agent out; the app's own writes still pass", async () => {
  const { url, newAgentPage } = e2e();
  const { context, page } = await newAgentPage();
  const evil = await context.newPage();
  await evil.goto(`${neighbour.url}/?target=${encodeURIComponent(url)}`);
  // A text/plain fetch with the cookie: no preflight, and the answer does not matter to it.
  await evil.evaluate(async (parley) => {
    await fetch(`${parley}/api/v1/auth/logout`, {
      method: "POST",
      mode: "no-cors",
      credentials: "include",
      headers: { "content-type": "text/plain" },
      body: "{}",
    });
  }, url);
  await stillSignedIn(page);
  await Promise.all([
    evil.waitForURL(`${url}/api/v1/auth/logout`),
    evil.evaluate(() => {
      // The tests are type-checked without the DOM library; this runs in the page.
      const doc = (globalThis as unknown as { document: { getElementById(id: string): { submit(): void } } })
        .document;
      doc.getElementById("signout").submit();
    }),
  ]);
  assert.match(await evil.locator("body").innerText(), /cross_origin_request/);
  await stillSignedIn(page);
  const write = await page.evaluate(async () => {
    const res = await fetch("/api/v1/me", {
      method: "PATCH",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ signature: "Cheers" }),
    });
    return res.status;
  });
  assert.equal(write, 200);
  await context.close();
});

test("the API reference renders under its Content-Security-Policy, with nothing refused", async () => {
  const { browser, url } = e2e();
  const context = await browser.newContext();
  const page = await context.newPage();
  const refused: string[] = [];
  page.on("console", (message) => {
    if (/Content Security Policy/i.test(message.text())) refused.push(message.text());
  });
  page.on("pageerror", (error) => refused.push(String(error)));
  await page.goto(`${url}/api/docs`);
  await page.getByRole("heading", { name: /Parley API/ }).waitFor();
  // The operations are drawn from the document the page fetched: the UI ran.
  await page.locator(".opblock").first().waitFor();
  assert.ok((await page.locator(".opblock").count()) > 10);
  assert.deepEqual(refused, []);
  await context.close();
});
