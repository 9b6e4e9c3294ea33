import assert from "node:assert/strict";
import { test } from "node:test";
import {
  generateMessageId,
  normalizedSubject,
  subjectWithToken,
  ticketFromMessageId,
  ticketNumberFromSubject,
} from "./ticket-token.ts";

test("the subject token is added once and read back", () => {
  const subject = subjectWithToken("Re: Printer on fire [#41]", 42);
  assert.equal(subject, "Re: Printer on fire [#42]");
  assert.equal(ticketNumberFromSubject(`AW: ${subject}`), 42);
  assert.equal(ticketNumberFromSubject("Invoice #42"), null);
});

test("generated Message-IDs carry the workspace and ticket and are unique", () => {
  const a = generateMessageId("help.example.com", 7, 1234);
  const b = generateMessageId("help.example.com", 7, 1234);
  assert.notEqual(a, b);
  assert.match(a, /^<parley\.7\.1234\.[0-9a-f]+@help\.example\.com>$/);
  assert.deepEqual(ticketFromMessageId(a), { workspaceId: 7, ticketNumber: 1234 });
  assert.equal(ticketFromMessageId("<CAF=abc@mail.gmail.com>"), null);
});

test("reply and forward prefixes in many languages do not change the conversation's subject", () => {
  const base = normalizedSubject("Printer on fire");
  for (const s of [
    "Re: Printer on fire",
    "RE: Fwd: printer on fire [#9]",
    "AW: WG: Printer  on fire",
    "Re[2]: Printer on fire",
  ]) {
    assert.equal(normalizedSubject(s), base, s);
  }
  assert.notEqual(normalizedSubject("Re: Invoice question"), base);
});
