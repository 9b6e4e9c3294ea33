import assert from "node:assert/strict";
import { test } from "node:test";
import { buildWorkspace, useTestApp } from "../test/harness.ts";

// Input that the database or JavaScript cannot hold is refused at the HTTP boundary with a 400
// and the path of the bad field: it used to reach PostgreSQL (or JSON.stringify) and answer 500.
const ctx = useTestApp();

const NUL = "\u0000";
const json = { "content-type": "application/json" };

function assertProblem(res: { statusCode: number; body: string; json(): any }, code: string, path?: string) {
  assert.equal(res.statusCode, 400, res.body);
  assert.equal(res.json().code, code, res.body);
  if (path !== undefined)
    assert.deepEqual(
      res.json().errors?.map((e: { path: string }) => e.path),
      [path],
    );
}

test("a NUL byte in a query, a param, a body field or a key is 400 invalid_text with its path", async () => {
  const ws = await buildWorkspace(ctx());
  const admin = ws.as(ws.admin);
  assertProblem(await admin.get("/api/v1/search?q=printer%00fire"), "invalid_text", "querystring.q");
  assertProblem(await admin.get("/api/v1/tickets?tag=a%00b"), "invalid_text", "querystring.tag");
  assertProblem(await admin.get("/api/v1/tickets/1%00"), "invalid_text", "params.id");
  const ticket = {
    subject: `Printer ${NUL} on fire`,
    comment: { body: "It is on fire." },
    requester: { email: "nul@customer.test", name: "Robin" },
  };
  assertProblem(await admin.post("/api/v1/tickets", ticket), "invalid_text", "body.subject");
  assertProblem(
    await admin.post("/api/v1/contacts", { name: `Robin${NUL}`, emails: ["robin@customer.test"] }),
    "invalid_text",
    "body.name",
  );
  assertProblem(
    await admin.post("/api/v1/contacts", {
      name: "Robin",
      emails: ["robin2@customer.test"],
      attributes: { [`plan${NUL}`]: "gold" },
    }),
    "invalid_text",
    "body.attributes.plan\\u0000",
  );
  // Nothing was stored on the way.
  const list = await admin.get("/api/v1/contacts?q=robin");
  assert.equal(list.statusCode, 200, list.body);
  assert.equal(list.json().data.length, 0);
});

test("a date that PostgreSQL or JavaScript cannot hold is 400 validation_failed at its field", async () => {
  const ws = await buildWorkspace(ctx());
  const admin = ws.as(ws.admin);
  for (const date of [
    "0000-01-01T00:00:00Z",
    // Year 0001 on its own clock, year 0000 in UTC.
    "0001-01-01T00:00:00+01:00",
    "9999-12-31T23:59:59-01:00",
    // A leap second: RFC 3339 allows it, JavaScript's Date does not.
    "2016-12-31T23:59:60Z",
    "2026-02-30T10:00:00Z",
  ]) {
    const q = encodeURIComponent(date);
    const list = await admin.get(`/api/v1/tickets?createdAfter=${q}`);
    assertProblem(list, "validation_failed", "querystring.createdAfter");
    assert.match(list.json().errors[0].message, /year 0001 to 9999/);
    assertProblem(
      await admin.get(`/api/v1/search?q=printer&updatedBefore=${q}`),
      "validation_failed",
      "querystring.updatedBefore",
    );
    assertProblem(
      await admin.post("/api/v1/api-tokens", { name: "script", scopes: ["read"], expiresAt: date }),
      "validation_failed",
      "body.expiresAt",
    );
  }
  const fine = await admin.get(`/api/v1/tickets?createdAfter=${encodeURIComponent("0001-01-01T00:00:00Z")}`);
  assert.equal(fine.statusCode, 200, fine.body);
});

test("a cursor that carries a date PostgreSQL cannot hold is 400 invalid_cursor", async () => {
  const ws = await buildWorkspace(ctx());
  const admin = ws.as(ws.admin);
  const cursor = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
  assertProblem(
    await admin.get(`/api/v1/tickets?cursor=${cursor(["0000-06-01T00:00:00.000Z", 1])}`),
    "invalid_cursor",
  );
  assertProblem(
    await admin.get(
      `/api/v1/search?q=printer&type=tickets&sort=recent&cursor=${cursor({ s: "recent", p: { tickets: [-1e15, 1] } })}`,
    ),
    "invalid_cursor",
  );
});

test("JSON nested 5,000 deep is 400 too_deeply_nested; 20 levels are fine", async () => {
  const ws = await buildWorkspace(ctx());
  const admin = ws.as(ws.admin);
  const nested = (depth: number) => `${'{"a":'.repeat(depth)}1${"}".repeat(depth)}`;
  const contact = (attributes: string, email: string) =>
    `{"name":"Deep","emails":["${email}"],"attributes":${attributes}}`;
  const deep = await admin.request(
    "POST",
    "/api/v1/contacts",
    contact(nested(5000), "deep@customer.test"),
    json,
  );
  assertProblem(deep, "too_deeply_nested");
  assert.match(deep.json().errors[0].path, /^body\.attributes(\.a)+$/);
  const arrays = await admin.request(
    "POST",
    "/api/v1/tickets",
    `${"[".repeat(5000)}${"]".repeat(5000)}`,
    json,
  );
  assertProblem(arrays, "too_deeply_nested");
  const shallow = await admin.request(
    "POST",
    "/api/v1/contacts",
    contact(nested(20), "shallow@customer.test"),
    json,
  );
  assert.equal(shallow.statusCode, 201, shallow.body);
});

const filePart = (name: string, filename: string) =>
  `--xx\r\nContent-Disposition: form-data; name="${name}"; filename="${filename}"\r\nContent-Type: text/plain\r\n\r\n`;

test("a multipart body with no boundary, or a part that never ends, is 400 invalid_multipart", async () => {
  const ws = await buildWorkspace(ctx());
  const admin = ws.as(ws.admin);
  const noBoundary = await admin.request(
    "POST",
    "/api/v1/attachments",
    `${filePart("file", "a.txt")}hi\r\n--xx--\r\n`,
    {
      "content-type": "multipart/form-data",
    },
  );
  assertProblem(noBoundary, "invalid_multipart");
  const cutOff = await admin.request("POST", "/api/v1/attachments", `${filePart("file", "a.txt")}hello`, {
    "content-type": "multipart/form-data; boundary=xx",
  });
  assertProblem(cutOff, "invalid_multipart");
  const brokenHeader = await admin.request(
    "POST",
    "/api/v1/attachments",
    "--xx\r\nContent-Disposition: form-data",
    {
      "content-type": "multipart/form-data; boundary=xx",
    },
  );
  assert.equal(brokenHeader.statusCode < 500, true, brokenHeader.body);
  const whole = await admin.request(
    "POST",
    "/api/v1/attachments",
    `${filePart("file", "a.txt")}hello\r\n--xx--\r\n`,
    {
      "content-type": "multipart/form-data; boundary=xx",
    },
  );
  assert.equal(whole.statusCode, 201, whole.body);
});

test("a NUL in a multipart file name or field is 400 invalid_text", async () => {
  const ws = await buildWorkspace(ctx());
  const admin = ws.as(ws.admin);
  const type = { "content-type": "multipart/form-data; boundary=xx" };
  const badName = await admin.request(
    "POST",
    "/api/v1/attachments",
    `${filePart("file", `a${NUL}.txt`)}hello\r\n--xx--\r\n`,
    type,
  );
  assertProblem(badName, "invalid_text", "body.file");
  const field = `--xx\r\nContent-Disposition: form-data; name="note"\r\n\r\nhi${NUL}\r\n`;
  const badField = await admin.request(
    "POST",
    "/api/v1/attachments",
    `${field}${filePart("file", "a.txt")}hello\r\n--xx--\r\n`,
    type,
  );
  assertProblem(badField, "invalid_text", "body.note");
});

test("a path that is not valid percent-encoded UTF-8, or too long, is a 400 problem with Parley's headers", async () => {
  const ws = await buildWorkspace(ctx());
  const admin = ws.as(ws.admin);
  const cases: [string, number, string][] = [
    ["/api/v1/tickets/%E0%A4%A", 400, "bad_request"],
    ["/api/v1/tickets/%zz", 400, "bad_request"],
    ["/api/v1/users/%ED%A0%80", 400, "bad_request"],
    [`/api/v1/tickets/${"9".repeat(200)}`, 414, "uri_too_long"],
  ];
  for (const [path, status, code] of cases) {
    const res = await admin.get(path);
    assert.equal(res.statusCode, status, `${path}: ${res.body}`);
    assert.equal(res.headers["content-type"], "application/problem+json; charset=utf-8", path);
    assert.equal(res.json().code, code, path);
    assert.equal(res.headers["x-content-type-options"], "nosniff", path);
    assert.ok(res.headers["x-request-id"], path);
  }
});
