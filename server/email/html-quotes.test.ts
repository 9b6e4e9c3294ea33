import assert from "node:assert/strict";
import { test } from "node:test";
import { DomUtils, parseDocument } from "htmlparser2";
import { markQuotedHistory } from "./html-quotes.ts";
import { parseEmail } from "./parse.ts";
import { htmlToPlainText, sanitizeEmailHtml } from "./sanitize-email.ts";

// What the agent app shows before "Show quoted text", and what it hides, as plain text.
function split(html: string, subject = "") {
  const clean = sanitizeEmailHtml(markQuotedHistory(html, subject));
  const doc = parseDocument(clean);
  const container = DomUtils.findOne((e) => e.attribs["data-parley-quote"] !== undefined, doc.children);
  const style = container?.attribs["data-parley-quote"] ?? null;
  const hidden = container ? htmlToPlainText(DomUtils.getInnerHTML(container)) : "";
  if (container) DomUtils.removeElement(container);
  const shown = htmlToPlainText(DomUtils.getOuterHTML(doc));
  return { clean, style, tag: container?.name ?? null, shown: squash(shown), hidden: squash(hidden) };
}
const squash = (s: string) => s.replace(/\s+/g, " ").trim();

test("Outlook desktop: the bordered From/Sent/To block and everything after it collapse", () => {
  const r = split(`<html><head><style>p{margin:0}</style></head><body><div class=WordSection1>
    <p class=MsoNormal><span style="color:#1F497D">Thanks, the <b>invoice</b> is fine now.</span></p>
    <p class=MsoNormal>&nbsp;</p>
    <div><div style="border:none;border-top:solid #E1E1E1 1.0pt;padding:3.0pt 0in 0in 0in">
    <p class=MsoNormal><b>From:</b> Support &lt;help@example.com&gt;<br><b>Sent:</b> Monday, 3 March 2025 10:00<br>
    <b>To:</b> Dana<br><b>Subject:</b> Re: invoice</p></div></div>
    <p class=MsoNormal>&nbsp;</p><p class=MsoNormal>Could you check the invoice again?</p></div></body></html>`);
  assert.equal(r.style, "header");
  assert.equal(r.tag, "blockquote");
  assert.equal(r.shown, "Thanks, the invoice is fine now.");
  assert.match(r.hidden, /^From: Support <help@example.com> Sent: .* Could you check the invoice again\?$/);
  // The fresh part keeps its formatting.
  assert.match(r.clean, /<b>invoice<\/b>/);
});

test("Outlook on the web: appendonsend, the rule and divRplyFwdMsg start the history", () => {
  const r = split(`<div style="font-family:Aptos">Works now, <i>thank you</i>.</div>
    <div id="appendonsend"></div><hr style="display:inline-block;width:98%" tabindex="-1">
    <div id="divRplyFwdMsg" dir="ltr"><font face="Calibri"><b>From:</b> Support<br><b>Sent:</b> Tuesday<br>
    <b>To:</b> Dana<br><b>Subject:</b> Re: login</font><div>&nbsp;</div></div>
    <div>Please try to log in again.</div>`);
  assert.equal(r.style, "outlook");
  assert.equal(r.shown, "Works now, thank you.");
  assert.match(r.hidden, /From: Support.*Please try to log in again\./);
});

test("Hotmail: the rule with id stopSpelling starts the history, even nested in the reply's div", () => {
  const r =
    split(`<div dir="ltr">Hi. All good.<div>Alex<br><br><div><hr id="stopSpelling">Date: Thu, 26 Jun 2014
    <br>Subject: Test<br>From: a@example.com<br><br><div>Hello! How are you?</div></div></div></div>`);
  assert.equal(r.style, "outlook");
  assert.equal(r.shown, "Hi. All good. Alex");
  assert.match(r.hidden, /^-+ Date: .*Hello! How are you\?$/);
});

test("-----Original Message----- starts the history", () => {
  const r = split(`<p>Yes, please cancel it.</p><p>-----Original Message-----<br>From: Support<br>
    Sent: Monday<br>Subject: Your order</p><p>Shall we cancel the order?</p>`);
  assert.equal(r.style, "original-message");
  assert.equal(r.shown, "Yes, please cancel it.");
  assert.match(r.hidden, /Shall we cancel the order\?/);
});

test("Gmail: the attribution outside the blockquote collapses with it", () => {
  const r = split(`<div dir="ltr">Sounds good.</div><br><div class="gmail_quote gmail_quote_container">
    <div dir="ltr" class="gmail_attr">On Mon, 3 Mar 2025 at 10:00, Support &lt;help@example.com&gt; wrote:<br></div>
    <blockquote class="gmail_quote" style="margin:0 0 0 .8ex">Is Tuesday fine?</blockquote></div>`);
  assert.equal(r.style, "gmail");
  assert.equal(r.shown, "Sounds good.");
  assert.match(r.hidden, /On Mon, 3 Mar 2025 .* wrote:.*Is Tuesday fine\?/);
});

test("Gmail: answers written between the quotes stay in view", () => {
  const html = `<div>See my answers below.</div><div class="gmail_quote"><div class="gmail_attr">On Mon, Support wrote:</div>
    <blockquote class="gmail_quote">Which plan?</blockquote><div>The yearly one.</div>
    <blockquote class="gmail_quote">How many seats?</blockquote><div>Twelve.</div></div>`;
  assert.equal(markQuotedHistory(html), html);
});

test("a Gmail forward is wrapped but not collapsed: the forwarded mail is what the agent must read", () => {
  const r = split(`<div dir="ltr">See below, from our accountant.</div><br><div class="gmail_quote">
    <div dir="ltr" class="gmail_attr">---------- Forwarded message ---------<br>From: Acc &lt;acc@example.com&gt;<br>
    Date: Mon, 3 Mar 2025<br>Subject: VAT</div><br><div>The VAT number is wrong.</div></div>`);
  assert.equal(r.style, "forward");
  assert.equal(r.tag, "div");
  assert.match(r.hidden, /Forwarded message .*The VAT number is wrong\./);
});

test("an Outlook forward, known by its subject, is not collapsed", () => {
  const r = split(
    `<p>FYI</p><div id="divRplyFwdMsg"><b>From:</b> Bank<br><b>Sent:</b> Monday<br><b>To:</b> Dana</div><p>Payment failed.</p>`,
    "FW: payment",
  );
  assert.equal(r.style, "forward");
  assert.equal(r.tag, "div");
});

test("Yahoo: the yahoo_quoted block collapses", () => {
  const r = split(`<div class="ydp1a2b3yahoo-style-wrap"><div>Still broken.</div></div>
    <div id="ydp9yahoo_quoted_123" class="ydp9yahoo_quoted"><div>On Monday, Support wrote:</div>
    <div><div id="yiv1">Did the update help?</div></div></div>`);
  assert.equal(r.style, "yahoo");
  assert.equal(r.shown, "Still broken.");
  assert.match(r.hidden, /Did the update help\?/);
});

test("Thunderbird: the cite prefix joins its blockquote", () => {
  const r = split(`Thanks!<br><div class="moz-cite-prefix">On 26.06.2014 14:41, Support wrote:<br></div>
    <blockquote type="cite" cite="mid:x@y">Fixed on our side.</blockquote><br>`);
  assert.equal(r.style, "thunderbird");
  assert.equal(r.shown, "Thanks!");
});

test("nested history: the first marker wins and older quotes stay inside the container", () => {
  const r = split(`<p>Third answer.</p><div id="divRplyFwdMsg"><b>From:</b> B<br><b>Sent:</b> Tue</div>
    <p>Second answer.</p><div id="divRplyFwdMsg"><b>From:</b> A<br><b>Sent:</b> Mon</div><p>First.</p>
    <blockquote>Zeroth.</blockquote>`);
  assert.equal(r.shown, "Third answer.");
  assert.match(r.hidden, /Second answer\..*First\..*Zeroth\./);
  assert.equal((r.clean.match(/data-parley-quote/g) ?? []).length, 1);
});

test("markers inside a blockquote are old history: Apple Mail's own quoting is left as is", () => {
  const html = `<div>Yes.</div><div><br><blockquote type="cite"><div>On 3 Mar 2025, at 10:00, Support wrote:</div>
    <div id="divRplyFwdMsg"><b>From:</b> A<br><b>Sent:</b> Mon</div></blockquote></div>`;
  assert.equal(markQuotedHistory(html), html);
});

test("look-alikes in the fresh text are not history", () => {
  for (const html of [
    "<p>From: the billing page, I cannot download the invoice.</p><p>Regards</p>",
    "<p>Step one</p><hr><p>Step two</p>",
    `<p>Header below</p><div style="border-top:solid #E1E1E1 1.0pt">Our new address</div>`,
    "<p>I saw -----Original Message----- in my spam folder.</p>",
  ])
    assert.equal(markQuotedHistory(html), html, html);
});

test("a mail that is only history stays in view", () => {
  const html = `<div id="divRplyFwdMsg"><b>From:</b> Support<br><b>Sent:</b> Mon<br><b>To:</b> Dana</div><p>Old text</p>`;
  assert.equal(markQuotedHistory(html), html);
});

test("the sanitizer keeps the container's own values only, and strips what is dangerous inside it", () => {
  const clean = sanitizeEmailHtml(
    `<p>New</p><blockquote data-parley-quote="x onclick=alert(1)">a</blockquote><div data-parley-quote="outlook">b</div>`,
  );
  assert.doesNotMatch(clean, /data-parley-quote/);
  const r =
    split(`<p>New</p><div id="divRplyFwdMsg"><b>From:</b> A<br><b>Sent:</b> B<img src=x onerror=alert(1)>
    <script>alert(1)</script><a href="javascript:alert(1)">x</a></div>`);
  assert.equal(r.style, "outlook");
  assert.doesNotMatch(r.clean, /onerror|<script|javascript:/);
});

const mail = (headers: string, body: string) =>
  Buffer.from(`From: Dana <dana@example.com>\r\n${headers}\r\n\r\n${body}`);

test("parseEmail marks an HTML-only Outlook reply, and its text splits the same way", async () => {
  const parsed = await parseEmail(
    mail(
      "Subject: Re: login\r\nContent-Type: text/html; charset=utf-8",
      `<p>It works, <b>thanks</b>.</p><div id="appendonsend"></div><hr><div id="divRplyFwdMsg"><b>From:</b> Support<br><b>Sent:</b> Monday<br><b>To:</b> Dana<br><b>Subject:</b> login</div><p>Try again please.</p>`,
    ),
  );
  assert.match(parsed.html ?? "", /<blockquote type="cite" data-parley-quote="outlook">/);
  assert.equal(parsed.reply.newText, "It works, thanks.");
  assert.match(parsed.reply.quotedText, /Try again please\./);
});

test("a text-only mail with a marker has no HTML; its text split still finds the history", async () => {
  const parsed = await parseEmail(
    mail(
      "Subject: Re: x\r\nContent-Type: text/plain",
      "Fine now.\r\n\r\n-----Original Message-----\r\nFrom: Support\r\nSent: Monday\r\n\r\nTry again.\r\n",
    ),
  );
  assert.equal(parsed.html, null);
  assert.equal(parsed.reply.newText, "Fine now.");
  assert.match(parsed.reply.quotedText, /Try again\./);
});
