import { after, before } from "node:test";
import type { FastifyInstance, InjectOptions } from "fastify";
import { createContactSession, createUserSession } from "../auth/sessions.ts";
import { loadConfig } from "../config.ts";
import { createContact } from "../contacts/service.ts";
import { type Database$, openDatabase } from "../db/connection.ts";
import { migrateToLatest } from "../db/migrate.ts";
import type { Role, TicketAccess } from "../db/types.ts";
import { buildApp } from "../http/app.ts";
import { createGroup, createUser, createWorkspace } from "../workspaces/service.ts";

// One database and app per test file: PGlite in memory by default, or the PostgreSQL server
// named by DATABASE_URL. Tests never share rows: each builds its own workspace.
export interface TestContext {
  app: FastifyInstance;
  database: Database$;
}

export function useTestApp(
  env: Record<string, string> = {},
  appOptions: { webApp?: boolean } = {},
): () => TestContext {
  let ctx: TestContext | null = null;
  before(async () => {
    const config = loadConfig({
      DATABASE_URL: process.env.DATABASE_URL,
      PARLEY_LOGIN_RATE_LIMIT: "1000",
      // Every injected request comes from 127.0.0.1, and on a shared PostgreSQL the count outlives
      // the test file; the limit's own test sets it low.
      PARLEY_LOGIN_IP_FAILURE_LIMIT: "1000000",
      ...env,
    });
    const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: null, poolSize: 5 });
    await migrateToLatest(database.db);
    const app = await buildApp({ database, config, ...appOptions });
    await app.ready();
    ctx = { app, database };
  });
  after(async () => {
    await ctx?.app.close();
    await ctx?.database.close();
  });
  return () => {
    if (!ctx) throw new Error("useTestApp() context is used before the before() hook ran");
    return ctx;
  };
}

let counter = 0;
const unique = (prefix: string) => `${prefix}-${process.pid}-${Date.now().toString(36)}-${++counter}`;

export interface TestUser {
  id: number;
  email: string;
  cookie: string;
}

export class Client {
  readonly app: FastifyInstance;
  readonly headers: Record<string, string>;
  constructor(app: FastifyInstance, headers: Record<string, string>) {
    this.app = app;
    this.headers = headers;
  }
  request(
    method: InjectOptions["method"],
    url: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ) {
    return this.app.inject({
      method,
      url,
      payload: body as InjectOptions["payload"],
      headers: { ...this.headers, ...headers },
    });
  }
  get(url: string, headers?: Record<string, string>) {
    return this.request("GET", url, undefined, headers);
  }
  post(url: string, body?: unknown, headers?: Record<string, string>) {
    return this.request("POST", url, body ?? {}, headers);
  }
  patch(url: string, body?: unknown, headers?: Record<string, string>) {
    return this.request("PATCH", url, body ?? {}, headers);
  }
  delete(url: string, headers?: Record<string, string>) {
    return this.request("DELETE", url, undefined, headers);
  }
}

export interface AgentOptions {
  role?: Role;
  ticketAccess?: TicketAccess;
  groupIds?: number[];
  password?: string;
  email?: string;
  name?: string;
}

export class TestWorkspace {
  readonly ctx: TestContext;
  readonly id: number;
  admin!: TestUser;

  constructor(ctx: TestContext, id: number) {
    this.ctx = ctx;
    this.id = id;
  }

  get db() {
    return this.ctx.database.db;
  }

  async agent(options: AgentOptions = {}): Promise<TestUser> {
    const email = options.email ?? `${unique("agent")}@example.test`;
    const user = await createUser(this.db, this.id, {
      name: options.name ?? `Agent ${counter}`,
      email,
      role: options.role ?? "agent",
      ticketAccess: options.ticketAccess,
      groupIds: options.groupIds,
      password: options.password,
    });
    const token = await createUserSession(this.db, this.id, user.id, 1);
    return { id: user.id, email, cookie: `parley_session=${token}` };
  }

  async group(name = unique("group")) {
    return createGroup(this.db, this.id, name);
  }

  async contact(input: { email?: string; name?: string; organizationId?: number | null } = {}) {
    const email = input.email ?? `${unique("customer")}@customer.test`;
    const c = await createContact(this.db, this.id, {
      name: input.name ?? "Casey Customer",
      emails: [email],
      organizationId: input.organizationId ?? null,
    });
    return { id: c.id, email };
  }

  async customerSession(contactId: number) {
    const token = await createContactSession(this.db, this.id, contactId, 1);
    return new Client(this.ctx.app, { cookie: `parley_session=${token}` });
  }

  as(user: TestUser) {
    return new Client(this.ctx.app, { cookie: user.cookie });
  }

  anonymous() {
    return new Client(this.ctx.app, {});
  }

  // A ticket made through the API by the admin, so tests start from what a user could do.
  async ticket(overrides: Record<string, unknown> = {}) {
    const requester = overrides.requester ?? {
      email: `${unique("req")}@customer.test`,
      name: "Robin Requester",
    };
    const res = await this.as(this.admin).post("/api/v1/tickets", {
      subject: "Printer on fire",
      comment: { body: "It is on fire." },
      ...overrides,
      requester,
    });
    if (res.statusCode !== 201) throw new Error(`ticket fixture failed: ${res.statusCode} ${res.body}`);
    return res.json() as { id: number; number: number; version: number; status: string; requesterId: number };
  }
}

export async function buildWorkspace(ctx: TestContext): Promise<TestWorkspace> {
  const ws = await createWorkspace(ctx.database.db, unique("Workspace"));
  const workspace = new TestWorkspace(ctx, ws.id);
  workspace.admin = await workspace.agent({ role: "admin" });
  return workspace;
}
