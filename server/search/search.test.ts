import assert from "node:assert/strict";
import { test } from "node:test";
import { buildWorkspace, type Client, useTestApp } from "../test/harness.ts";

const ctx = useTestApp();

interface Hit {
  type: string;
  score: number;
  ticket?: { id: number; number: number; subject: string };
  message?: {
    id: number;
    kind: string;
    snippet: string;
    ticket: { id: number; number: number; status: string };
  };
  contact?: { id: number; name: string; emails: string[] };
  organization?: { id: number; name: string };
}

async function search(client: Client, params: string) {
  const res = await client.get(`/api/v1/search?${params}`);
  assert.equal(res.statusCode, 200, res.body);
  return res.json() as { data: Hit[]; nextCursor: string | null };
}

const ticketIds = (hits: Hit[]) => hits.filter((h) => h.type === "tickets").map((h) => h.ticket!.id);
const messageTicketIds = (hits: Hit[]) =>
  hits.filter((h) => h.type === "messages").map((h) => h.message!.ticket.id);

test("subject hits rank above body hits, and English forms of a word match", async () => {
  const ws = await buildWorkspace(ctx());
  const inBody = await ws.ticket({
    subject: "Question about my account",
    comment: { body: "My printers jam" },
  });
  const inSubject = await ws.ticket({ subject: "Printer jammed again", comment: { body: "See subject." } });
  await ws.ticket({ subject: "Unrelated", comment: { body: "Nothing to see" } });

  const { data } = await search(ws.as(ws.admin), "q=printer");
  assert.deepEqual(
    data.map((h) => [h.type, h.type === "tickets" ? h.ticket!.id : h.message!.ticket.id]),
    [
      ["tickets", inSubject.id],
      ["messages", inBody.id],
    ],
  );
  assert.ok(data[0].score > data[1].score);
  assert.match(data[1].message!.snippet, /<mark>printers<\/mark>/);
  assert.equal(data[1].message!.ticket.status, "new");
});

test("websearch syntax: quoted phrases, -exclusions and or", async () => {
  const ws = await buildWorkspace(ctx());
  const a = await ws.ticket({ subject: "refund for broken screen" });
  const b = await ws.ticket({ subject: "screen broken refund" });
  const c = await ws.ticket({ subject: "invoice copy needed" });
  const admin = ws.as(ws.admin);

  const phrase = await search(admin, `type=tickets&q=${encodeURIComponent('"broken screen"')}`);
  assert.deepEqual(ticketIds(phrase.data), [a.id]);
  const excluded = await search(admin, `type=tickets&q=${encodeURIComponent("refund -invoice -broken")}`);
  assert.deepEqual(ticketIds(excluded.data), []);
  const either = await search(admin, `type=tickets&sort=recent&q=${encodeURIComponent("invoice or screen")}`);
  assert.deepEqual(ticketIds(either.data), [c.id, b.id, a.id]);
});

test("a ticket number, with or without #, finds that ticket first", async () => {
  const ws = await buildWorkspace(ctx());
  const first = await ws.ticket({ subject: "Order 2 is late" });
  const second = await ws.ticket({ subject: "Anything" });
  const admin = ws.as(ws.admin);

  const bare = await search(admin, `type=tickets&q=${second.number}`);
  assert.equal(bare.data[0].ticket!.id, second.id);
  assert.equal(bare.data[0].score, 1);
  const hashed = await search(admin, `q=${encodeURIComponent(`#${first.number}`)}`);
  assert.equal(hashed.data[0].ticket!.id, first.id);
  const recent = await search(admin, `type=tickets&sort=recent&q=${encodeURIComponent(`#${first.number}`)}`);
  assert.ok(ticketIds(recent.data).includes(first.id));
});

test("a group-restricted agent finds nothing from other groups, in subjects or bodies", async () => {
  const ws = await buildWorkspace(ctx());
  const billing = await ws.group();
  const support = await ws.group();
  const agent = await ws.agent({ ticketAccess: "groups", groupIds: [support.id] });
  const theirs = await ws.ticket({
    groupId: billing.id,
    subject: "Refund please",
    comment: { body: "refund" },
  });
  const ours = await ws.ticket({
    groupId: support.id,
    subject: "Refund please",
    comment: { body: "refund" },
  });

  const { data } = await search(ws.as(agent), "q=refund");
  assert.deepEqual(ticketIds(data), [ours.id]);
  assert.deepEqual(messageTicketIds(data), [ours.id]);
  const byNumber = await search(ws.as(agent), `type=tickets&q=${theirs.number}`);
  assert.ok(!ticketIds(byNumber.data).includes(theirs.id));
});

test("a customer never finds internal notes, nor other customers' tickets", async () => {
  const ws = await buildWorkspace(ctx());
  const own = await ws.ticket({ subject: "Where is my parcel", comment: { body: "parcel missing" } });
  await ws.ticket({ subject: "Parcel damaged", comment: { body: "parcel crushed" } });
  const note = await ws.as(ws.admin).post(`/api/v1/tickets/${own.id}/messages`, {
    body: "Parcel was never shipped, warehouse error",
    kind: "note",
  });
  assert.equal(note.statusCode, 201, note.body);
  const customer = await ws.customerSession(own.requesterId);

  const { data } = await search(customer, "q=parcel");
  assert.deepEqual(ticketIds(data), [own.id]);
  assert.deepEqual(
    data.filter((h) => h.type === "messages").map((h) => h.message!.kind),
    ["reply"],
  );
  assert.ok(data.every((h) => h.type === "tickets" || h.type === "messages"));
  const notes = await search(customer, "type=messages&q=warehouse");
  assert.equal(notes.data.length, 0);
  const agentView = await search(ws.as(ws.admin), "type=messages&q=warehouse");
  assert.equal(agentView.data[0].message!.kind, "note");

  const people = await customer.get("/api/v1/search?type=contacts&q=casey");
  assert.equal(people.statusCode, 403);
  assert.equal(people.json().code, "forbidden");
});

test("light agents search, and contacts match by partial name, typo or email", async () => {
  const ws = await buildWorkspace(ctx());
  const light = await ws.agent({ role: "light_agent" });
  const jonathan = await ws.contact({ name: "Jonathan Packman", email: "jp@widgets.example" });
  await ws.contact({ name: "Zed Other", email: "zed@elsewhere.example" });
  const client = ws.as(light);

  for (const q of ["Packman", "ackma", "Jonathon", "jp@wid"]) {
    const { data } = await search(client, `type=contacts&q=${encodeURIComponent(q)}`);
    assert.deepEqual(
      data.map((h) => h.contact!.id),
      [jonathan.id],
      `query ${q}`,
    );
  }
  // A shared ".example" makes the other address a weak match; the closer one ranks first.
  const { data } = await search(client, "type=contacts&q=widgets.example");
  assert.equal(data[0].contact!.id, jonathan.id);
  assert.ok(data.slice(1).every((h) => h.score < data[0].score));
});

test("organizations match by name, partial name and whole domain", async () => {
  const ws = await buildWorkspace(ctx());
  const acme = await ws
    .as(ws.admin)
    .post("/api/v1/organizations", { name: "Acme Rockets", domains: ["acme.test"] });
  await ws.as(ws.admin).post("/api/v1/organizations", { name: "Globex", domains: ["globex.test"] });
  for (const q of ["acme", "Rocket", "acme.test", "Acne Rockets"]) {
    const { data } = await search(ws.as(ws.admin), `type=organizations&q=${encodeURIComponent(q)}`);
    assert.deepEqual(
      data.map((h) => h.organization!.id),
      [acme.json().id],
      `query ${q}`,
    );
  }
});

test("snippets escape the message text and mark only the matched words", async () => {
  const ws = await buildWorkspace(ctx());
  await ws.ticket({
    subject: "Odd characters",
    comment: { body: `if a < b && c > d then "refund" 'now' \uE000 x` },
  });
  const { data } = await search(ws.as(ws.admin), "type=messages&q=refund");
  const snippet = data[0].message!.snippet;
  assert.match(snippet, /&lt; b &amp;&amp; c &gt; d/);
  assert.match(snippet, /&quot;<mark>refund<\/mark>&quot; &#39;now&#39;/);
  assert.equal(snippet.replaceAll("<mark>", "").replaceAll("</mark>", "").includes("<"), false);
  assert.ok(!snippet.includes("\uE000"));
});

test("filters narrow ticket and message hits", async () => {
  const ws = await buildWorkspace(ctx());
  const agent = await ws.agent();
  const mine = await ws.ticket({ subject: "Laptop broken", assigneeId: agent.id, tags: ["hardware"] });
  const other = await ws.ticket({ subject: "Laptop slow", status: "pending" });
  const client = ws.as(agent);

  assert.deepEqual(ticketIds((await search(client, "q=laptop&assigneeId=me")).data), [mine.id]);
  assert.deepEqual(ticketIds((await search(client, "q=laptop&status=pending")).data), [other.id]);
  assert.deepEqual(ticketIds((await search(client, "q=laptop&tag=Hardware")).data), [mine.id]);
  assert.deepEqual(ticketIds((await search(client, "q=laptop&assigneeId=none&status=new")).data), []);
  const future = new Date(Date.now() + 60_000).toISOString();
  assert.deepEqual((await search(client, `q=laptop&createdAfter=${future}`)).data, []);
});

test("cursors page through every hit once, by relevance and by recency", async () => {
  const ws = await buildWorkspace(ctx());
  for (let i = 0; i < 4; i++) {
    await ws.ticket({ subject: `Battery issue ${i}`, comment: { body: `battery drains ${i}` } });
  }
  await ws.contact({ name: "Battery Bob" });
  const admin = ws.as(ws.admin);
  for (const sort of ["relevance", "recent"]) {
    const all = await search(admin, `q=battery&sort=${sort}&limit=100`);
    assert.equal(all.data.length, 9, sort);
    assert.equal(all.nextCursor, null);
    const seen: Hit[] = [];
    let cursor: string | null = null;
    do {
      const page = await search(
        admin,
        `q=battery&sort=${sort}&limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`,
      );
      assert.ok(page.data.length <= 2);
      seen.push(...page.data);
      cursor = page.nextCursor;
    } while (cursor);
    const key = (h: Hit) => `${h.type}:${(h.ticket ?? h.message ?? h.contact ?? h.organization)!.id}`;
    assert.deepEqual(seen.map(key), all.data.map(key), sort);
  }
});

test("hits of another workspace never appear", async () => {
  const mine = await buildWorkspace(ctx());
  const theirs = await buildWorkspace(ctx());
  await theirs.ticket({ subject: "Secret merger plans", comment: { body: "merger" } });
  await theirs.contact({ name: "Merger Person" });
  const { data } = await search(mine.as(mine.admin), "q=merger");
  assert.deepEqual(data, []);
});

test("search rejects bad input and anonymous callers", async () => {
  const ws = await buildWorkspace(ctx());
  const admin = ws.as(ws.admin);
  for (const params of ["", "q=", "q=x&type=people", "q=x&limit=101", "q=x&status=later", "q=x&extra=1"]) {
    const res = await admin.get(`/api/v1/search?${params}`);
    assert.equal(res.statusCode, 400, params);
    assert.equal(res.json().code, "validation_failed", params);
  }
  const badCursor = await admin.get("/api/v1/search?q=x&cursor=nonsense");
  assert.equal(badCursor.statusCode, 400);
  assert.equal(badCursor.json().code, "invalid_cursor");
  const page = await search(admin, "q=x&type=tickets");
  assert.equal(page.nextCursor, null);
  const otherType = Buffer.from(JSON.stringify({ s: "relevance", p: { messages: "start" } })).toString(
    "base64url",
  );
  const mismatch = await admin.get(`/api/v1/search?q=x&type=tickets&cursor=${otherType}`);
  assert.equal(mismatch.json().code, "invalid_cursor");
  const anon = await ws.anonymous().get("/api/v1/search?q=x");
  assert.equal(anon.statusCode, 401);
});
