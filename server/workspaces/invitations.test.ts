import assert from "node:assert/strict";
import { after, test } from "node:test";
import { pino } from "pino";
import PostalMime from "postal-mime";
import { SecretBox } from "../auth/secret-box.ts";
import { sha256 } from "../auth/secrets.ts";
import { type OutboundDeps, sendOutbound } from "../email/outbound.ts";
import { LocalFileStore } from "../files/store.ts";
import { buildWorkspace, type TestWorkspace, useTestApp } from "../test/harness.ts";
import { outboundRows, sendingMailbox } from "../test/outbound-fixtures.ts";
import { type SinkMta, startSinkMta } from "../test/sink-mta.ts";

const ctx = useTestApp({ PARLEY_PUBLIC_URL: "https://desk.acme.test", PARLEY_LOGIN_RATE_LIMIT: "10" });

const sinks: SinkMta[] = [];
after(() => Promise.all(sinks.map((s) => s.close())));

let address = 0;
// The set-password page's calls come from someone not signed in; each test has its own address,
// so the per-address limit is the rate-limit test's alone.
function fromAddress() {
  const ip = `10.20.${Math.floor(++address / 250)}.${(address % 250) + 1}`;
  return (path: string, body: unknown) =>
    ctx().app.inject({ method: "POST", url: path, payload: body as object, remoteAddress: ip });
}

async function invite(ws: TestWorkspace, name = "Dana Reyes") {
  const email = `${name.split(" ")[0].toLowerCase()}-${Date.now()}-${++address}@team.test`;
  const res = await ws.as(ws.admin).post("/api/v1/users", { name, email, role: "agent" });
  assert.equal(res.statusCode, 201, res.body);
  return { email, user: res.json() };
}

const tokenOf = (link: string) => new URL(link).hash.replace(/^#token=/, "");

test("without a mail route the admin gets the link; it sets the password once and signs in", async () => {
  const ws = await buildWorkspace(ctx());
  const post = fromAddress();
  const { email, user } = await invite(ws);
  assert.equal(user.passwordSet, false);
  assert.equal(user.invitation.mailed, false);
  assert.match(
    user.invitation.detail,
    /^No mail route is configured .* Hand this link to Dana Reyes yourself/,
  );
  assert.match(user.invitation.link, /^https:\/\/desk\.acme\.test\/set-password#token=inv_/);
  const token = tokenOf(user.invitation.link);

  // Only the token's hash is at rest.
  const stored = await ws.db
    .selectFrom("user_invitations")
    .selectAll()
    .where("workspace_id", "=", ws.id)
    .execute();
  assert.equal(stored.length, 1);
  assert.equal(stored[0].token_hash, sha256(token));
  assert.ok(!JSON.stringify(stored).includes(token));

  const details = await post("/api/v1/invitations/lookup", { token });
  assert.equal(details.statusCode, 200, details.body);
  assert.equal(details.json().email, email);
  assert.equal(details.json().name, "Dana Reyes");

  const accepted = await post("/api/v1/invitations/accept", { token, password: "a-long-new-password" });
  assert.equal(accepted.statusCode, 200, accepted.body);
  assert.match(String(accepted.headers["set-cookie"]), /parley_session=/);
  assert.equal(accepted.json().passwordSet, true);
  const login = await ctx().app.inject({
    method: "POST",
    url: "/api/v1/auth/login",
    payload: { email, password: "a-long-new-password" },
  });
  assert.equal(login.statusCode, 200, login.body);

  // Single use: the same link again is refused, in words and with a stable code.
  for (const path of ["/api/v1/invitations/accept", "/api/v1/invitations/lookup"]) {
    const again = await post(
      path,
      path.endsWith("accept") ? { token, password: "another-password-1" } : { token },
    );
    assert.equal(again.statusCode, 410);
    assert.equal(again.headers["content-type"], "application/problem+json; charset=utf-8");
    assert.equal(again.json().code, "invitation_used");
    assert.match(again.json().detail, /already used/);
  }
  const reInvite = await ws.as(ws.admin).post(`/api/v1/users/${user.id}/invitation`);
  assert.equal(reInvite.statusCode, 409);
  assert.equal(reInvite.json().code, "user_has_password");
});

test("an expired link, a wrong token and a replaced link are refused as problem+json", async () => {
  const ws = await buildWorkspace(ctx());
  const post = fromAddress();
  const { user } = await invite(ws, "Eli Expired");
  const token = tokenOf(user.invitation.link);
  await ws.db
    .updateTable("user_invitations")
    .set({ expires_at: new Date(Date.now() - 1000) })
    .where("workspace_id", "=", ws.id)
    .execute();
  const expired = await post("/api/v1/invitations/accept", { token, password: "a-long-new-password" });
  assert.equal(expired.statusCode, 410);
  assert.equal(expired.json().code, "invitation_expired");

  for (const wrong of [`${token.slice(0, -2)}xx`, "inv_nope", "not a token"]) {
    const res = await post("/api/v1/invitations/accept", { token: wrong, password: "a-long-new-password" });
    assert.equal(res.statusCode, 404, wrong);
    assert.equal(res.headers["content-type"], "application/problem+json; charset=utf-8");
    assert.equal(res.json().code, "invitation_not_found");
  }
  const short = await post("/api/v1/invitations/accept", { token, password: "short" });
  assert.equal(short.statusCode, 400);

  // A new invitation works, and the one before it stops working.
  const again = await ws.as(ws.admin).post(`/api/v1/users/${user.id}/invitation`);
  assert.equal(again.statusCode, 201, again.body);
  const second = tokenOf(again.json().link);
  const third = tokenOf((await ws.as(ws.admin).post(`/api/v1/users/${user.id}/invitation`)).json().link);
  assert.equal(
    (await post("/api/v1/invitations/lookup", { token: second })).json().code,
    "invitation_expired",
  );
  assert.equal(
    (await post("/api/v1/invitations/accept", { token: third, password: "a-long-new-password" })).statusCode,
    200,
  );
  const user2 = (await ws.as(ws.admin).get(`/api/v1/users/${user.id}`)).json();
  assert.equal(user2.passwordSet, true);
});

test("with a sending mailbox the invitation goes out by mail, and the link is not kept", async () => {
  const mta = await startSinkMta();
  sinks.push(mta);
  const ws = await buildWorkspace(ctx());
  await sendingMailbox(ws, mta);
  const post = fromAddress();
  const { email, user } = await invite(ws, "Mo Mailed");
  assert.equal(user.invitation.mailed, true);
  assert.equal(user.invitation.link, null);
  assert.match(
    user.invitation.detail,
    new RegExp(`^An invitation was mailed to ${email.replace(/[.+]/g, "\\$&")}\\.`),
  );
  const [row] = await outboundRows(ws);
  assert.equal(row.kind, "invitation");
  assert.deepEqual(row.recipients, { to: [email], cc: [] });
  const deps: OutboundDeps = {
    db: ws.db,
    box: SecretBox.fromConfig(ctx().app.config),
    fileStore: new LocalFileStore(ctx().app.config.fileStoreDir),
    relayUrl: null,
    log: pino({ level: "silent" }),
  };
  assert.equal(
    await sendOutbound(deps, { workspaceId: ws.id, outboundId: row.id }, { lastAttempt: false }),
    "sent",
  );
  const delivery = mta.accepted().at(-1)!;
  assert.deepEqual(delivery.rcptTo, [email]);
  const mail = await PostalMime.parse(delivery.raw);
  assert.match(mail.subject ?? "", /^You are invited to .* on Parley$/);
  const link = /https:\/\/desk\.acme\.test\/set-password#token=(inv_[A-Za-z0-9_-]+)/.exec(mail.text ?? "");
  assert.ok(link, mail.text ?? "no text part");
  const [sent] = await outboundRows(ws);
  assert.ok(!`${sent.body_text}${sent.body_html}`.includes(link[1]), "the sent row keeps no usable link");
  const accepted = await post("/api/v1/invitations/accept", {
    token: link[1],
    password: "a-long-new-password",
  });
  assert.equal(accepted.statusCode, 200, accepted.body);
});

test("only admins invite; the public calls are limited per address", async () => {
  const ws = await buildWorkspace(ctx());
  const agent = await ws.agent();
  const { user } = await invite(ws, "Ria Ratelimit");
  assert.equal((await ws.as(agent).post(`/api/v1/users/${user.id}/invitation`)).statusCode, 403);
  assert.equal((await ws.anonymous().post(`/api/v1/users/${user.id}/invitation`)).statusCode, 401);
  const post = fromAddress();
  const answers: number[] = [];
  for (let i = 0; i < 12; i++)
    answers.push(
      (await post("/api/v1/invitations/lookup", { token: `inv_guess${i}aaaaaaaaaaaaaaaaaaaa` })).statusCode,
    );
  assert.deepEqual(answers, [...Array(10).fill(404), 429, 429]);
  // The right token from the limited address waits too; another address is not held back.
  const token = tokenOf(user.invitation.link);
  assert.equal((await post("/api/v1/invitations/lookup", { token })).statusCode, 429);
  assert.equal((await fromAddress()("/api/v1/invitations/lookup", { token })).statusCode, 200);
});
