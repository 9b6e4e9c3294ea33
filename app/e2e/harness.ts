// End-to-end tests of the agent app: a real Parley (embedded PGlite, or a PostgreSQL database of
// the test file's own when DATABASE_URL is set) on a free port, driven by Debian's Chromium through
// playwright-core. Each test file gets its own server and data.

import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, afterEach, before } from "node:test";
import { type Browser, type BrowserContext, chromium, type Locator, type Page } from "playwright-core";
import { loadConfig } from "../../server/config.ts";
import { type RunningServer, startServer } from "../../server/main.ts";
import { freePort } from "../../server/test/free-port.ts";
import { ownDatabaseUrl } from "../../server/test/own-database.ts";

export const ADMIN_EMAIL = "admin@e2e.test";
export const ADMIN_PASSWORD = "e2e-admin-password";
export const AGENT_PASSWORD = "e2e-agent-password";

const CHROMIUM = process.env.PARLEY_CHROMIUM ?? "/usr/bin/chromium";

// Without the background-networking flags Chromium keeps dialing Google's hosts, which this
// machine's closed network refuses.
const CHROMIUM_ARGS = [
  "--headless=new",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--disable-dev-shm-usage",
];

export interface E2e {
  url: string;
  server: RunningServer;
  browser: Browser;
  api: ApiSession;
  newAgentPage(email?: string, password?: string): Promise<{ context: BrowserContext; page: Page }>;
}

// A signed-in API session (cookie) for arranging data the way another agent or a customer would.
export class ApiSession {
  private cookie = "";
  readonly url: string;
  constructor(url: string) {
    this.url = url;
  }

  async login(email: string, password: string) {
    const response = await fetch(`${this.url}/api/v1/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email, password }),
    });
    if (!response.ok) throw new Error(`login failed: ${response.status} ${await response.text()}`);
    this.cookie = (response.headers.get("set-cookie") ?? "").split(";")[0];
    return this;
  }

  async request<T = any>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await fetch(`${this.url}${path}`, {
      method,
      headers: { cookie: this.cookie, ...(body === undefined ? {} : { "content-type": "application/json" }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text}`);
    return (text ? JSON.parse(text) : undefined) as T;
  }

  get = <T = any>(path: string) => this.request<T>("GET", path);
  post = <T = any>(path: string, body?: unknown) => this.request<T>("POST", path, body ?? {});
  patch = <T = any>(path: string, body: unknown) => this.request<T>("PATCH", path, body);

  // The upload door takes raw mail (message/rfc822), which the JSON helpers do not send.
  async uploadMail(mailboxId: number, raw: string) {
    const response = await fetch(`${this.url}/api/v1/mailboxes/${mailboxId}/inbound`, {
      method: "POST",
      headers: { cookie: this.cookie, "content-type": "message/rfc822" },
      body: raw,
    });
    if (response.status !== 202) throw new Error(`mail upload: ${response.status} ${await response.text()}`);
  }

  createAgent(name: string, email: string, extra: Record<string, unknown> = {}) {
    return this.post<{ id: number; name: string }>("/api/v1/users", {
      name,
      email,
      role: "agent",
      password: AGENT_PASSWORD,
      ...extra,
    });
  }

  createTicket(
    subject: string,
    requesterEmail: string,
    body = "Hello, I need help.",
    extra: Record<string, unknown> = {},
  ) {
    return this.post<{ id: number; number: number; version: number }>("/api/v1/tickets", {
      subject,
      requester: { email: requesterEmail, name: requesterEmail.split("@")[0] },
      comment: { body },
      ...extra,
    });
  }
}

// Registers before/after hooks for the test file and returns an accessor for its E2e context.
export function useE2e(): () => E2e {
  let context: E2e | null = null;
  let dataDir = "";
  let dropDatabase: (() => Promise<void>) | null = null;
  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), "parley-e2e-"));
    const database = await ownDatabaseUrl("e2e");
    dropDatabase = database?.drop ?? null;
    const port = await freePort();
    const env: Record<string, string> = {
      PARLEY_DATA_DIR: dataDir,
      PARLEY_HOST: "127.0.0.1",
      PARLEY_PORT: String(port),
      PARLEY_PUBLIC_URL: `http://127.0.0.1:${port}`,
      PARLEY_ADMIN_EMAIL: ADMIN_EMAIL,
      PARLEY_ADMIN_PASSWORD: ADMIN_PASSWORD,
      PARLEY_LOG_LEVEL: "warn",
      PARLEY_LOGIN_RATE_LIMIT: "1000",
    };
    if (database) env.DATABASE_URL = database.url;
    const server = await startServer(loadConfig(env));
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    const api = await new ApiSession(server.url).login(ADMIN_EMAIL, ADMIN_PASSWORD);
    context = {
      url: server.url,
      server,
      browser,
      api,
      async newAgentPage(email = ADMIN_EMAIL, password = ADMIN_PASSWORD) {
        const browserContext = await browser.newContext({
          baseURL: server.url,
          viewport: { width: 1280, height: 800 },
        });
        const page = await browserContext.newPage();
        await signIn(page, email, password);
        return { context: browserContext, page };
      },
    };
  });
  afterEach(async (t) => {
    if (!context) return;
    if (!t.passed) await reportOpenPages(context.browser, t.name);
    // A failed test leaves its contexts open; the next test starts without them.
    for (const open of context.browser.contexts()) await open.close();
  });
  after(async () => {
    await context?.browser.close();
    await context?.server.stop();
    await dropDatabase?.();
    await rm(dataDir, { recursive: true, force: true });
  });
  return () => {
    if (!context) throw new Error("the e2e context is used before its before() hook ran");
    return context;
  };
}

// What the browser showed when a test failed: a timeout alone does not say whether the page was
// blank, on an error screen or somewhere else. Printed to the test's output, which CI keeps, with
// a screenshot beside the temp data.
async function reportOpenPages(browser: Browser, testName: string) {
  const dir = await mkdtemp(join(tmpdir(), "parley-e2e-failure-"));
  let n = 0;
  for (const open of browser.contexts()) {
    for (const page of open.pages()) {
      n += 1;
      try {
        const text = await page.locator("body").innerText({ timeout: 2000 });
        const shot = join(dir, `page-${n}.png`);
        await page.screenshot({ path: shot, timeout: 5000 });
        console.error(
          `\n[e2e failure] "${testName}" page ${n} at ${page.url()} (screenshot ${shot}):\n${text.replace(/\s*\n\s*/g, " · ").slice(0, 1500)}\n`,
        );
      } catch (error) {
        console.error(`[e2e failure] "${testName}" page ${n} at ${page.url()}: could not read it (${error})`);
      }
    }
  }
}

export async function signIn(page: Page, email: string, password: string) {
  await page.goto("/login");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("navigation", { name: "Views" }).waitFor();
}

// Waits until the locator matches exactly `expected` elements. A count read once races the page
// (a filter or a refetch that has not applied yet), so every count assertion polls instead.
export async function expectCount(locator: Locator, expected: number, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  let seen = await locator.count();
  while (seen !== expected) {
    if (Date.now() > deadline) {
      assert.fail(`expected ${expected} element(s) for ${locator}, still ${seen} after ${timeoutMs} ms`);
    }
    await locator.page().waitForTimeout(50);
    seen = await locator.count();
  }
}
