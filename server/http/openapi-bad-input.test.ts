import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { test } from "node:test";
import fc from "fast-check";
import type { InjectOptions } from "fastify";
import { createUserSession } from "../auth/sessions.ts";
import {
  type BodyInput,
  badQueryText,
  badValue,
  encodeText,
  fromSchema,
  idText,
  type JsonSchema,
  jsonText,
  oddBody,
} from "../test/bad-input-arbitraries.ts";
import { buildWorkspace, useTestApp } from "../test/harness.ts";

// A property of the whole API: whatever an authenticated admin sends to any route of the OpenAPI
// document (wrong types, NUL bytes, huge strings, deep JSON, odd dates, bad ids, broken
// multipart), the answer is never a 5xx, and every error is problem+json with a code. The runs
// are seeded, so a failure replays; PARLEY_FUZZ_SEED and PARLEY_FUZZ_RUNS explore further.
const ctx = useTestApp();

const SEED = Number(process.env.PARLEY_FUZZ_SEED ?? 20261207);
const RUNS = Number(process.env.PARLEY_FUZZ_RUNS ?? 12);

interface Parameter {
  in: "path" | "query" | "header";
  name: string;
  schema?: JsonSchema;
}
interface Operation {
  parameters?: Parameter[];
  requestBody?: { content: Record<string, { schema?: JsonSchema }> };
}

interface GeneratedRequest {
  path: Record<string, string>;
  query: [string, string][];
  body: BodyInput;
}

// What a client that puts any value in a query string would write for it.
const asText = (value: unknown) =>
  typeof value === "object" && value !== null ? jsonText(value) : String(value);

function requestFor(operation: Operation, method: string): fc.Arbitrary<GeneratedRequest> {
  const params = operation.parameters ?? [];
  const pathParams = params.filter((p) => p.in === "path");
  const queryParams = params.filter((p) => p.in === "query");
  const path = fc.record(Object.fromEntries(pathParams.map((p) => [p.name, idText])));
  const queryValue = (p: Parameter) =>
    fc.oneof(
      fromSchema(p.schema).map((v) => (Array.isArray(v) ? v : [v]).map((x) => encodeText(asText(x)))),
      fc.array(badQueryText, { minLength: 1, maxLength: 3 }),
    );
  const query = fc
    .tuple(
      fc
        .subarray(queryParams)
        .chain((chosen) =>
          fc.tuple(
            ...chosen.map((p) =>
              queryValue(p).map((values) => values.map((v) => [p.name, v] as [string, string])),
            ),
          ),
        ),
      fc.array(fc.tuple(fc.constantFrom("unknown", "q%00", "__proto__", "limit"), badQueryText), {
        maxLength: 2,
      }),
    )
    .map(([known, extra]) => [...known.flat(), ...extra]);
  const schema = operation.requestBody?.content["application/json"]?.schema;
  const jsonBody = fc
    .oneof({ weight: 4, arbitrary: fromSchema(schema) }, { weight: 1, arbitrary: badValue })
    .map((value): BodyInput => ({ contentType: "application/json", payload: jsonText(value) }));
  const writes = method !== "GET" && method !== "DELETE";
  const body = writes
    ? fc.oneof({ weight: 4, arbitrary: jsonBody }, { weight: 2, arbitrary: oddBody })
    : fc.oneof({ weight: 5, arbitrary: fc.constant<BodyInput>({}) }, { weight: 1, arbitrary: oddBody });
  return fc.record({ path, query, body });
}

function toInject(route: string, method: string, input: GeneratedRequest, cookie: string): InjectOptions {
  const path = route.replace(/\{(\w+)\}/g, (_m, name: string) => input.path[name] ?? "1");
  const search = input.query.map(([k, v]) => `${encodeURIComponent(k)}=${v}`).join("&");
  const headers: Record<string, string> = { cookie };
  if (input.body.contentType) headers["content-type"] = input.body.contentType;
  return {
    method: method as InjectOptions["method"],
    url: search ? `${path}?${search}` : path,
    headers,
    ...(input.body.payload === undefined ? {} : { payload: input.body.payload }),
  };
}

const seedFor = (route: string) => SEED ^ createHash("sha256").update(route).digest().readInt32LE(0);

const show = (text: unknown, max = 400) => {
  const s = typeof text === "string" ? text : Buffer.isBuffer(text) ? text.toString() : String(text);
  return JSON.stringify(s.length > max ? `${s.slice(0, max)}… (${s.length} chars)` : s);
};

test("no route of the OpenAPI document answers generated bad input with a 5xx", async (t) => {
  const ws = await buildWorkspace(ctx());
  // Records for the small ids the generators try, so some input reaches real rows.
  const admin = ws.as(ws.admin);
  await ws.ticket();
  await ws.ticket({ subject: "Second" });
  await admin.post("/api/v1/organizations", { name: "Acme" });
  await admin.post("/api/v1/groups", { name: "Billing" });
  const document = ctx().app.swagger() as { paths: Record<string, Record<string, Operation>> };
  const operations = Object.entries(document.paths).flatMap(([route, ops]) =>
    Object.entries(ops).map(([method, op]) => ({ route, method: method.toUpperCase(), op })),
  );
  assert.ok(operations.length > 50, `only ${operations.length} operations in the document`);
  for (const { route, method, op } of operations) {
    await t.test(`${method} ${route}`, async () => {
      await fc.assert(
        fc.asyncProperty(requestFor(op, method), async (input) => {
          // A session of its own for every request: sign-out and password changes end sessions.
          const token = await createUserSession(ws.db, ws.id, ws.admin.id, 1);
          const request = toInject(route, method, input, `parley_session=${token}`);
          const res = await ctx().app.inject(request);
          const where = `${request.method} ${request.url} (content-type ${show(input.body.contentType)}, body ${show(input.body.payload)})`;
          assert.ok(res.statusCode < 500, `${where} answered ${res.statusCode}: ${show(res.body)}`);
          if (res.statusCode >= 400) {
            assert.match(
              String(res.headers["content-type"]),
              /^application\/problem\+json/,
              `${where}: ${res.statusCode}`,
            );
            assert.equal(typeof res.json().code, "string", `${where}: ${show(res.body)}`);
          }
        }),
        { numRuns: RUNS, seed: seedFor(`${method} ${route}`), endOnFailure: true },
      );
    });
  }
});
