import fc from "fast-check";

// Generators of hostile and odd request input, for the property test that walks every route of
// the OpenAPI document (server/http/openapi-bad-input.test.ts). Each is a mix of values that pass
// the schema (so the input reaches the handler and the database) and values that should not.

export type JsonSchema = {
  type?: string | string[];
  enum?: unknown[];
  const?: unknown;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  maxItems?: number;
  format?: string;
  pattern?: string;
};

// Dates RFC 3339, JavaScript and PostgreSQL disagree about, and a few that are not dates at all.
export const ODD_DATES = [
  "0000-01-01T00:00:00Z",
  "0001-01-01T00:00:00+01:00",
  "9999-12-31T23:59:59-14:00",
  "9999-12-31T23:59:60Z",
  "2016-12-31T23:59:60Z",
  "2026-02-30T10:00:00Z",
  "-000001-01-01T00:00:00Z",
  "+275760-09-13T00:00:00.000Z",
  "1970-01-01",
  "2026-12-07T25:00:00Z",
  "now",
  "8640000000000001",
];

const ODD_STRINGS = [
  "",
  " ",
  "\u0000",
  "a\u0000b",
  "%00",
  "\uD800",
  "💥🧨",
  "' OR 1=1 --",
  "<script>alert(1)</script>",
  "../../etc/passwd",
  "null",
  "NaN",
  "-1",
  "1e309",
  "x".repeat(70_000),
];

const ODD_NUMBERS = [0, -1, 1.5, 2 ** 31, 2 ** 53 + 2, 1e308, -1e308, Number.MAX_SAFE_INTEGER];

function deepObject(depth: number): unknown {
  let value: unknown = 1;
  for (let i = 0; i < depth; i++) value = { a: value };
  return value;
}

// Stands for an object nested 5,000 deep, deeper than JSON.stringify can write: jsonText puts the
// nesting in as text.
const DEEP = "\u0001deep\u0001";
const DEEP_TEXT = `${'{"a":'.repeat(5000)}1${"}".repeat(5000)}`;

export const jsonText = (value: unknown) =>
  (JSON.stringify(value) ?? "null").replaceAll(`"${DEEP}"`, DEEP_TEXT);

const oddKey = fc.oneof(
  { weight: 3, arbitrary: fc.string({ maxLength: 10 }) },
  {
    weight: 1,
    arbitrary: fc.constantFrom("k\u0000", "\u0000", "__proto__", "constructor", "", "x".repeat(5000)),
  },
);

// Any JSON value that a schema did not ask for.
export const badValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(...ODD_STRINGS, ...ODD_DATES),
  fc.constantFrom(...ODD_NUMBERS, true, false, null, [], {}),
  fc.constantFrom(deepObject(40), DEEP, [[[["x"]]]]),
  fc.dictionary(oddKey, fc.constantFrom("v", 1, DEEP, "\u0000"), { minKeys: 1, maxKeys: 2 }),
  fc.string({ maxLength: 20, unit: "binary" }),
  fc.integer(),
);

// Percent-encoding as a client would send it; a lone surrogate, which encodeURIComponent refuses,
// goes as the bytes a careless encoder writes for it (not UTF-8 at all).
export function encodeText(text: string): string {
  try {
    return encodeURIComponent(text);
  } catch {
    return text.replace(/[\uD800-\uDFFF]/g, "%ED%A0%80").replace(/[^%\w]/g, (c) => encodeURIComponent(c));
  }
}

// Strings for a query string or a path segment, percent-encoded or deliberately not.
export const badQueryText: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(...ODD_STRINGS.map((s) => encodeText(s.slice(0, 3000))), ...ODD_DATES.map(encodeText)),
  fc.constantFrom("%", "%E0%A4%A", "%zz", "a%00b", "%2F..%2F", "1%00", "[]", "{}"),
  fc.constantFrom(...ODD_NUMBERS.map(String), "99999999999999999999", "4503599627370497", "0x10", "1.5"),
  fc.string({ maxLength: 12, unit: "binary" }).map(encodeText),
);

export const idText: fc.Arbitrary<string> = fc.oneof(
  { weight: 2, arbitrary: fc.integer({ min: 1, max: 4 }).map(String) },
  { weight: 2, arbitrary: badQueryText },
);

function plausible(schema: JsonSchema, depth: number): fc.Arbitrary<unknown> {
  if (schema.const !== undefined) return fc.constant(schema.const);
  if (schema.enum) return fc.constantFrom(...schema.enum);
  const variants = schema.anyOf ?? schema.oneOf;
  if (variants?.length) return fc.oneof(...variants.map((v) => fromSchema(v, depth)));
  if (schema.allOf?.length) return fromSchema(schema.allOf[0], depth);
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  switch (type) {
    case "string":
      return plausibleString(schema);
    case "integer": {
      const min = Math.max(schema.minimum ?? -(2 ** 31), Number.MIN_SAFE_INTEGER);
      const max = Math.min(schema.maximum ?? 2 ** 31, Number.MAX_SAFE_INTEGER);
      return fc.oneof(
        fc.integer({ min: Math.max(min, -1000), max: Math.min(max, 1000) }),
        fc.constantFrom(min, max),
      );
    }
    case "number":
      return fc.double({ noNaN: true, min: schema.minimum, max: schema.maximum });
    case "boolean":
      return fc.boolean();
    case "null":
      return fc.constant(null);
    case "array":
      return fc.array(schema.items ? fromSchema(schema.items, depth + 1) : badValue, {
        maxLength: Math.min(schema.maxItems ?? 4, 4),
      });
    case "object":
      return plausibleObject(schema, depth);
    default:
      return badValue;
  }
}

function plausibleString(schema: JsonSchema): fc.Arbitrary<string> {
  if (schema.format === "date-time") {
    const valid = fc
      .date({
        min: new Date("0001-01-01T00:00:00Z"),
        max: new Date("9999-12-31T23:59:59Z"),
        noInvalidDate: true,
      })
      .map((d) => d.toISOString());
    return fc.oneof(valid, fc.constantFrom(...ODD_DATES));
  }
  if (schema.format === "email") return fc.emailAddress();
  if (schema.pattern) return fc.stringMatching(new RegExp(schema.pattern));
  const minLength = schema.minLength ?? 0;
  return fc.oneof(
    {
      weight: 4,
      arbitrary: fc.string({
        minLength,
        maxLength: Math.max(minLength, Math.min(schema.maxLength ?? 40, 40)),
      }),
    },
    { weight: 1, arbitrary: fc.constant("x".repeat(schema.maxLength ?? 100_000)) },
  );
}

function plausibleObject(schema: JsonSchema, depth: number): fc.Arbitrary<unknown> {
  const properties = schema.properties ?? {};
  const names = Object.keys(properties);
  if (names.length === 0) return fc.dictionary(oddKey, badValue, { maxKeys: 3 });
  const model = Object.fromEntries(names.map((name) => [name, fromSchema(properties[name], depth + 1)]));
  const required = (schema.required ?? []).filter((name) => names.includes(name));
  return fc.record(model, { requiredKeys: required });
}

// A value for the schema: mostly one it accepts, sometimes anything at all.
export function fromSchema(schema: JsonSchema | undefined, depth = 0): fc.Arbitrary<unknown> {
  if (!schema || depth > 6) return badValue;
  return fc.oneof({ weight: 5, arbitrary: plausible(schema, depth) }, { weight: 1, arbitrary: badValue });
}

export interface BodyInput {
  contentType?: string;
  payload?: string | Buffer;
}

const part = (name: string, filename: string) =>
  `--b\r\nContent-Disposition: form-data; name="${name}"; filename="${filename}"\r\nContent-Type: text/plain\r\n\r\n`;

// Bodies that are not what any route expects.
export const oddBody: fc.Arbitrary<BodyInput> = fc.constantFrom<BodyInput>(
  {},
  { contentType: "application/json", payload: "" },
  { contentType: "application/json", payload: "{" },
  { contentType: "application/json", payload: '{"a":' },
  { contentType: "application/json", payload: "\u0000" },
  { contentType: "application/json", payload: `${"[".repeat(5000)}${"]".repeat(5000)}` },
  { contentType: "application/json", payload: `${'{"a":'.repeat(5000)}1${"}".repeat(5000)}` },
  { contentType: "application/json", payload: '{"__proto__":{"admin":true}}' },
  { contentType: "application/json", payload: '{"constructor":{"prototype":{"x":1}}}' },
  { contentType: "application/json; charset=utf-16", payload: "{}" },
  { contentType: "text/plain", payload: "{}" },
  { contentType: "application/x-www-form-urlencoded", payload: "a=b&a=%00" },
  { contentType: "message/rfc822", payload: "From: <a@b>\r\n\r\n\u0000" },
  { contentType: "multipart/form-data", payload: `${part("file", "a.txt")}hi\r\n--b--\r\n` },
  { contentType: "multipart/form-data; boundary=b", payload: `${part("file", "a.txt")}hi` },
  { contentType: "multipart/form-data; boundary=b", payload: "--b\r\nContent-Disposition: form-data" },
  {
    contentType: "multipart/form-data; boundary=b",
    payload: `${part("file", "a\u0000.txt")}hi\r\n--b--\r\n`,
  },
  {
    contentType: "multipart/form-data; boundary=b",
    payload: `${part("fi\u0000le", "a.txt")}hi\r\n--b--\r\n`,
  },
  { contentType: "multipart/form-data; boundary=zz", payload: `${part("file", "a.txt")}hi\r\n--b--\r\n` },
  { contentType: "multipart/form-data; boundary=b", payload: "--b--\r\n" },
);
