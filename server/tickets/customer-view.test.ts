import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { buildWorkspace, type Client, type TestWorkspace, useTestApp } from "../test/harness.ts";

const storeDir = mkdtempSync(join(tmpdir(), "parley-customer-view-"));
after(() => rmSync(storeDir, { recursive: true, force: true }));
const ctx = useTestApp({ PARLEY_FILE_STORE_DIR: storeDir });

// Every route a customer (a contact session) may call, as the OpenAPI document names it. Any other
// route that needs credentials refuses a customer with 403 before it reads the request (see the
// sweep below). Public routes (sign-in, sign-out, health) need no credentials at all. The
// websocket, GET /api/v1/realtime, is public too and authenticates after the upgrade; what it
// pushes to customers is tested in server/realtime/realtime.test.ts.
const CUSTOMER_ROUTES = [
  "GET /api/v1/tickets",
  "POST /api/v1/tickets",
  "GET /api/v1/tickets/{id}",
  "GET /api/v1/tickets/{id}/messages",
  "POST /api/v1/tickets/{id}/messages",
  "POST /api/v1/attachments",
  "GET /api/v1/attachments/{id}",
  "GET /api/v1/search",
];
// The invitation routes answer only to an invitation's secret token (workspaces/invitation-routes.ts).
const PUBLIC_ROUTES = [
  "GET /healthz",
  "GET /readyz",
  "POST /api/v1/auth/login",
  "POST /api/v1/auth/logout",
  "POST /api/v1/invitations/lookup",
  "POST /api/v1/invitations/accept",
];

const TICKET_KEYS = [
  "closedAt",
  "createdAt",
  "customFields",
  "id",
  "number",
  "organization",
  "requester",
  "solvedAt",
  "status",
  "subject",
  "updatedAt",
];
const MESSAGE_KEYS = ["attachments", "author", "body", "createdAt", "html", "id", "ticketId"];
const ATTACHMENT_KEYS = ["contentType", "filename", "id", "size", "url"];

const keys = (o: object) => Object.keys(o).sort();

function multipart(filename: string, content: string) {
  const boundary = `----parley${Math.random().toString(16).slice(2)}`;
  const body = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${filename}"\r\n` +
      `Content-Type: text/plain\r\n\r\n${content}\r\n--${boundary}--\r\n`,
  );
  return { body, headers: { "content-type": `multipart/form-data; boundary=${boundary}` } };
}

async function uploadAs(client: Client, filename: string) {
  const { body, headers } = multipart(filename, `contents of ${filename}`);
  const res = await client.request("POST", "/api/v1/attachments", body, headers);
  assert.equal(res.statusCode, 201, res.body);
  return res.json() as { id: number };
}

// Strings that only the team may see; no customer answer may contain any of them.
const SECRETS = [
  "vip-escalation",
  "INTERNAL-7731",
  "internal_code",
  "Refund queue",
  "Be careful, VIP",
  "note-file.txt",
  "agent-email-",
  "priority",
  "assigneeId",
  "groupId",
  "problemId",
  "mergedIntoId",
  "delivery",
];

function assertNoSecrets(body: string, route: string) {
  for (const secret of SECRETS) assert.ok(!body.includes(secret), `${route} leaks "${secret}": ${body}`);
}

// A workspace where one customer's ticket carries everything the team keeps to itself.
async function scene(ws: TestWorkspace) {
  const admin = ws.as(ws.admin);
  for (const [key, visibleToCustomers] of [
    ["order_number", true],
    ["internal_code", false],
  ] as const) {
    const res = await admin.post("/api/v1/custom-fields", {
      key,
      label: key,
      kind: "text",
      visibleToCustomers,
    });
    assert.equal(res.statusCode, 201, res.body);
    assert.equal(res.json().visibleToCustomers, visibleToCustomers);
  }
  const org = await admin.post("/api/v1/organizations", { name: "Acme Ltd" });
  assert.equal(org.statusCode, 201, org.body);
  const group = await ws.group("Refund queue");
  const agent = await ws.agent({ email: `agent-email-${Date.now()}@team.test`, groupIds: [group.id] });
  const contact = await ws.contact({ name: "Casey Customer", organizationId: org.json().id });
  const ticket = await ws.ticket({
    requester: { id: contact.id },
    subject: "Where is my parcel",
    tags: ["vip-escalation"],
    priority: "urgent",
    groupId: group.id,
    assigneeId: agent.id,
    customFields: { order_number: "A-100", internal_code: "INTERNAL-7731" },
  });
  const agentClient = ws.as(agent);
  const replyFile = await uploadAs(agentClient, "label.txt");
  const reply = await agentClient.post(`/api/v1/tickets/${ticket.id}/messages`, {
    body: "It ships today.",
    attachmentIds: [replyFile.id],
  });
  assert.equal(reply.statusCode, 201, reply.body);
  const noteFile = await uploadAs(agentClient, "note-file.txt");
  const note = await agentClient.post(`/api/v1/tickets/${ticket.id}/messages`, {
    kind: "note",
    body: "Be careful, VIP",
    attachmentIds: [noteFile.id],
  });
  assert.equal(note.statusCode, 201, note.body);
  // A second ticket of theirs merged into the first leaves system entries naming both tickets.
  const duplicate = await ws.ticket({ requester: { id: contact.id }, subject: "Parcel again" });
  const merged = await admin.post(`/api/v1/tickets/${duplicate.id}/merge`, { targetId: ticket.id });
  assert.equal(merged.statusCode, 200, merged.body);
  const other = await ws.contact({ name: "Other Person" });
  const othersTicket = await ws.ticket({ requester: { id: other.id }, subject: "Someone else's" });
  return {
    contact,
    ticket,
    agentName: (await admin.get(`/api/v1/users/${agent.id}`)).json().name as string,
    replyFileId: replyFile.id,
    noteFileId: noteFile.id,
    othersTicket,
    duplicateNumber: duplicate.number,
    customer: await ws.customerSession(contact.id),
  };
}

test("a customer reads their ticket with public replies and visible fields, and nothing internal", async () => {
  const ws = await buildWorkspace(ctx());
  const s = await scene(ws);

  const one = await s.customer.get(`/api/v1/tickets/${s.ticket.id}`);
  assert.equal(one.statusCode, 200, one.body);
  assert.deepEqual(keys(one.json()), TICKET_KEYS);
  assert.deepEqual(one.json().customFields, { order_number: "A-100" });
  assert.deepEqual(one.json().requester, { name: "Casey Customer" });
  assert.deepEqual(one.json().organization, { name: "Acme Ltd" });
  assert.equal(one.headers.etag, undefined, "the version is for the team's edits");
  assertNoSecrets(one.body, "GET /api/v1/tickets/{id}");

  const list = await s.customer.get("/api/v1/tickets");
  assert.equal(list.statusCode, 200, list.body);
  const ids = list.json().data.map((t: { id: number }) => t.id);
  assert.ok(ids.includes(s.ticket.id));
  assert.ok(!ids.includes(s.othersTicket.id), "another customer's ticket");
  for (const t of list.json().data) assert.deepEqual(keys(t), TICKET_KEYS);
  assertNoSecrets(list.body, "GET /api/v1/tickets");

  const messages = await s.customer.get(`/api/v1/tickets/${s.ticket.id}/messages`);
  assert.equal(messages.statusCode, 200, messages.body);
  const data = messages.json().data as { body: string; author: object; attachments: object[] }[];
  assert.deepEqual(
    data.map((m) => m.body),
    [
      "It is on fire.",
      "It ships today.",
      "It is on fire.",
      `Request #${s.duplicateNumber} has been merged into request #${s.ticket.number}. We will continue here.`,
    ],
    "both tickets' opening messages, the agent's reply and the merge notice sent to the customer",
  );
  for (const m of data) {
    assert.deepEqual(keys(m), MESSAGE_KEYS);
    for (const a of m.attachments) assert.deepEqual(keys(a), ATTACHMENT_KEYS);
  }
  assert.deepEqual(data[0].author, { type: "contact", name: "Casey Customer" });
  assert.deepEqual(data[1].author, { type: "user", name: s.agentName });
  assert.deepEqual(
    data[1].attachments.map((a) => (a as { id: number }).id),
    [s.replyFileId],
  );
  assertNoSecrets(messages.body, "GET /api/v1/tickets/{id}/messages");
  assert.deepEqual(data[3].author, { type: "system", name: null });
  assert.ok(!messages.body.includes("was merged into #"), "the team's system entries stay out");

  // What the team sees of the same ticket holds every secret: the test would notice a leak.
  const team = await ws.as(ws.admin).get(`/api/v1/tickets/${s.ticket.id}`);
  assert.ok(team.body.includes("INTERNAL-7731") && team.body.includes("vip-escalation"));
});

test("a customer's writes answer with the customer's view", async () => {
  const ws = await buildWorkspace(ctx());
  const s = await scene(ws);

  const file = await uploadAs(s.customer, "photo.txt");
  assert.deepEqual(keys(file), ATTACHMENT_KEYS);
  const posted = await s.customer.post(`/api/v1/tickets/${s.ticket.id}/messages`, {
    body: "Thanks!",
    attachmentIds: [file.id],
  });
  assert.equal(posted.statusCode, 201, posted.body);
  assert.deepEqual(keys(posted.json()), ["message", "ticket"]);
  assert.deepEqual(keys(posted.json().message), MESSAGE_KEYS);
  assert.deepEqual(posted.json().message.author, { type: "contact", name: "Casey Customer" });
  assert.deepEqual(keys(posted.json().ticket), TICKET_KEYS);
  assertNoSecrets(posted.body, "POST /api/v1/tickets/{id}/messages");

  const created = await s.customer.post("/api/v1/tickets", {
    subject: "A new question",
    comment: { body: "Hello" },
  });
  assert.equal(created.statusCode, 201, created.body);
  assert.deepEqual(keys(created.json()), TICKET_KEYS);
  assert.deepEqual(created.json().customFields, {});
  assertNoSecrets(created.body, "POST /api/v1/tickets");
});

test("a customer downloads the files of public replies only", async () => {
  const ws = await buildWorkspace(ctx());
  const s = await scene(ws);
  const reply = await s.customer.get(`/api/v1/attachments/${s.replyFileId}`);
  assert.equal(reply.statusCode, 200, reply.body);
  assert.equal(reply.body, "contents of label.txt");
  const note = await s.customer.get(`/api/v1/attachments/${s.noteFileId}`);
  assert.equal(note.statusCode, 404);
  assert.equal(note.json().code, "not_found");
  const other = await buildWorkspace(ctx());
  const stranger = await other.customerSession((await other.contact()).id);
  assert.equal((await stranger.get(`/api/v1/attachments/${s.replyFileId}`)).statusCode, 404);
});

test("a customer's search finds their tickets and public replies in the customer's view", async () => {
  const ws = await buildWorkspace(ctx());
  const s = await scene(ws);
  const tickets = await s.customer.get("/api/v1/search?q=parcel&type=tickets");
  assert.equal(tickets.statusCode, 200, tickets.body);
  assert.ok(tickets.json().data.length > 0);
  for (const hit of tickets.json().data) assert.deepEqual(keys(hit.ticket), TICKET_KEYS);
  assertNoSecrets(tickets.body, "GET /api/v1/search");

  for (const q of ["careful", "ticket"]) {
    const found = await s.customer.get(`/api/v1/search?q=${q}&type=messages`);
    assert.equal(found.statusCode, 200, found.body);
    assert.deepEqual(found.json().data, [], `"${q}" is only in a note or a system entry`);
  }
  const replies = await s.customer.get("/api/v1/search?q=ships&type=messages");
  assert.equal(replies.json().data.length, 1);
  const someoneElse = await s.customer.get("/api/v1/search?q=someone");
  assert.deepEqual(someoneElse.json().data, []);
});

test("a customer cannot filter by what they are not shown", async () => {
  const ws = await buildWorkspace(ctx());
  const s = await scene(ws);
  const queries = ["tag=vip-escalation", "groupId=none", "assigneeId=none"];
  const urls = [
    ...[...queries, "priority=urgent"].map((q) => `/api/v1/tickets?${q}`),
    ...queries.map((q) => `/api/v1/search?q=parcel&${q}`),
  ];
  for (const url of urls) {
    const res = await s.customer.get(url);
    assert.equal(res.statusCode, 400, `${url}: ${res.body}`);
    assert.equal(res.json().code, "not_available");
  }
});

test("other customers' tickets and other workspaces stay out of reach", async () => {
  const ws = await buildWorkspace(ctx());
  const s = await scene(ws);
  const other = await buildWorkspace(ctx());
  const foreign = await other.ticket({ subject: "Parcel elsewhere" });
  for (const id of [s.othersTicket.id, foreign.id]) {
    for (const url of [`/api/v1/tickets/${id}`, `/api/v1/tickets/${id}/messages`]) {
      const res = await s.customer.get(url);
      assert.equal(res.statusCode, 404, url);
    }
    const post = await s.customer.post(`/api/v1/tickets/${id}/messages`, { body: "Hi" });
    assert.equal(post.statusCode, 404);
  }
  const search = await s.customer.get("/api/v1/search?q=parcel");
  assert.ok(!search.body.includes("Parcel elsewhere"));
});

test("every route that needs credentials refuses a customer, except the customer routes", async () => {
  const ws = await buildWorkspace(ctx());
  const s = await scene(ws);
  const spec = (ctx().app as unknown as { swagger(): { paths: Record<string, object> } }).swagger();
  const open: string[] = [];
  const publicRoutes: string[] = [];
  for (const [path, operations] of Object.entries(spec.paths)) {
    for (const method of Object.keys(operations)) {
      const route = `${method.toUpperCase()} ${path}`;
      if (route === "POST /api/v1/auth/logout") {
        publicRoutes.push(route);
        continue;
      }
      const url = path.replace(/\{[^}]+\}/g, String(s.ticket.id));
      const verb = method.toUpperCase() as "GET";
      const body = verb === "GET" || verb === "DELETE" ? undefined : {};
      const anonymous = await ws.anonymous().request(verb, url, body);
      if (anonymous.statusCode !== 401) {
        publicRoutes.push(route);
        continue;
      }
      const res = await s.customer.request(verb, url, body);
      if (res.statusCode === 403) {
        assert.match(res.headers["content-type"] as string, /^application\/problem\+json/);
        assert.equal(res.json().code, "forbidden");
        continue;
      }
      open.push(route);
      assertNoSecrets(res.body, route);
    }
  }
  assert.deepEqual(
    open.sort(),
    [...CUSTOMER_ROUTES].sort(),
    "a route customers may call must present for them (present-customer.ts) and be listed here",
  );
  assert.deepEqual(
    publicRoutes.sort(),
    [...PUBLIC_ROUTES].sort(),
    "a route that needs no credentials is open to customers and strangers alike: check what it shows, then list it",
  );
});
