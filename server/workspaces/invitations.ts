import { sql } from "kysely";
import type { UserActor } from "../auth/actor.ts";
import { hashPassword, newToken, sha256 } from "../auth/secrets.ts";
import { type Db, inTransaction } from "../db/connection.ts";
import { outboundJobId, SEND_OUTBOUND } from "../email/outbox.ts";
import { outboxSettings } from "../email/outbox-settings.ts";
import { generateMessageId } from "../email/ticket-token.ts";
import { AppError, conflict, notFound } from "../http/errors.ts";

// An agent added without a password is invited: a link to set one, mailed through the
// workspace's outbound path (its sending mailbox, or the relay), or handed to the admin to pass
// on when no mail can go out. The link works once, for INVITATION_HOURS; only its hash is kept.
export const INVITATION_HOURS = 72;

export interface InvitationOutcome {
  mailed: boolean;
  sentTo: string;
  expiresAt: Date;
  // Only when no mail went out: the admin passes it on. A mailed link is never shown again.
  link: string | null;
  detail: string;
}

interface Invitee {
  id: number;
  name: string;
  email: string;
  role: string;
  active: boolean;
  password_hash: string | null;
}

// The link carries the token in its fragment, which browsers never send to a server: it stays out
// of request logs, proxies and Referer headers.
const invitationLink = (publicUrl: string, token: string) =>
  `${publicUrl.replace(/\/+$/, "")}/set-password#token=${token}`;

export async function inviteUser(
  db: Db,
  actor: UserActor,
  userId: number,
  options: { publicUrl: string; relayUrl: string | null },
): Promise<InvitationOutcome> {
  return inTransaction(db, async (trx) => {
    const user = await trx
      .selectFrom("users")
      .select(["id", "name", "email", "role", "active", "password_hash"])
      .where("workspace_id", "=", actor.workspaceId)
      .where("id", "=", userId)
      .forUpdate()
      .executeTakeFirst();
    if (!user) throw notFound("user");
    if (!user.active) {
      throw conflict(
        "user_inactive",
        `${user.name} is deactivated; reactivate them before inviting them again.`,
      );
    }
    if (user.password_hash) {
      throw conflict("user_has_password", `${user.name} has already set a password and signs in with it.`);
    }
    // A new invitation replaces any earlier one: only the latest link works.
    await trx
      .updateTable("user_invitations")
      .set({ expires_at: sql`now()` })
      .where("workspace_id", "=", actor.workspaceId)
      .where("user_id", "=", user.id)
      .where("used_at", "is", null)
      .where("expires_at", ">", sql<Date>`now()`)
      .execute();
    const token = newToken("inv");
    const expiresAt = new Date(Date.now() + INVITATION_HOURS * 3600_000);
    await trx
      .insertInto("user_invitations")
      .values({
        workspace_id: actor.workspaceId,
        user_id: user.id,
        token_hash: sha256(token),
        expires_at: expiresAt,
        created_by: actor.userId,
      })
      .execute();
    const link = invitationLink(options.publicUrl, token);
    const mailed = await queueInvitationMail(trx, actor, user, link, expiresAt, options.relayUrl);
    const until = `${expiresAt.toISOString().slice(0, 16).replace("T", " ")} UTC`;
    return mailed
      ? {
          mailed: true,
          sentTo: user.email,
          expiresAt,
          link: null,
          detail: `An invitation was mailed to ${user.email}. Its link works once, until ${until}.`,
        }
      : {
          mailed: false,
          sentTo: user.email,
          expiresAt,
          link,
          detail: `No mail route is configured (no active mailbox with SMTP settings, and no PARLEY_SMTP_RELAY_URL), so no invitation was mailed. Hand this link to ${user.name} yourself; it works once, until ${until}.`,
        };
  });
}

// The mailbox that sends: the first active one with its own SMTP server, else the first active
// one when a relay is configured (the relay sends with its address). None: no mail route.
async function sendingMailbox(trx: Db, workspaceId: number, relayUrl: string | null) {
  const active = await trx
    .selectFrom("mailboxes")
    .select(["id", "name", "address", "smtp"])
    .where("workspace_id", "=", workspaceId)
    .where("active", "=", true)
    .orderBy("id")
    .execute();
  const own = active.find((m) => typeof (m.smtp as { host?: unknown } | null)?.host === "string");
  return own ?? (relayUrl ? (active[0] ?? null) : null);
}

async function queueInvitationMail(
  trx: Db,
  actor: UserActor,
  user: Invitee,
  link: string,
  expiresAt: Date,
  relayUrl: string | null,
): Promise<boolean> {
  const mailbox = await sendingMailbox(trx, actor.workspaceId, relayUrl);
  if (!mailbox) return false;
  const [workspace, inviter] = await Promise.all([
    trx.selectFrom("workspaces").select("name").where("id", "=", actor.workspaceId).executeTakeFirstOrThrow(),
    trx
      .selectFrom("users")
      .select("name")
      .where("workspace_id", "=", actor.workspaceId)
      .where("id", "=", actor.userId)
      .executeTakeFirst(),
  ]);
  const content = invitationMail({
    firstName: user.name.split(/\s+/)[0] ?? user.name,
    inviter: inviter?.name ?? "An admin",
    workspace: workspace.name,
    role: user.role === "admin" ? "an admin" : user.role === "light_agent" ? "a light agent" : "an agent",
    link,
    expiresAt,
  });
  const settings = outboxSettings(trx);
  const domain = settings.messageIdDomain ?? mailbox.address.split("@")[1] ?? "localhost";
  const row = await trx
    .insertInto("outbound_emails")
    .values({
      workspace_id: actor.workspaceId,
      message_id: null,
      ticket_id: null,
      mailbox_id: mailbox.id,
      kind: "invitation",
      message_id_header: generateMessageId(domain, actor.workspaceId, 0),
      recipients: JSON.stringify({ to: [user.email], cc: [] }),
      subject: content.subject,
      from_name: mailbox.name,
      body_text: content.text,
      body_html: content.html,
      auto_submitted: "auto-generated",
    })
    .returning(["id", "workspace_id"])
    .executeTakeFirstOrThrow();
  if (settings.queue) {
    await settings.queue.enqueue(
      trx,
      SEND_OUTBOUND,
      { workspaceId: row.workspace_id, outboundId: row.id },
      { id: outboundJobId(row.workspace_id, row.id) },
    );
  }
  return true;
}

const escapeHtml = (s: string) =>
  s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

function invitationMail(v: {
  firstName: string;
  inviter: string;
  workspace: string;
  role: string;
  link: string;
  expiresAt: Date;
}) {
  const until = `${v.expiresAt.toISOString().slice(0, 16).replace("T", " ")} UTC`;
  const intro = `${v.inviter} added you to ${v.workspace} on Parley as ${v.role}. Choose your password to sign in:`;
  const outro = `The link works once, until ${until}. If you did not expect this mail, you can ignore it.`;
  const text = [`Hello ${v.firstName},`, "", intro, "", v.link, "", outro, ""].join("\n");
  const html = `<!doctype html>\n<html><head><meta charset="utf-8"></head><body>\n<p>Hello ${escapeHtml(v.firstName)},</p>\n<p>${escapeHtml(intro)}</p>\n<p><a href="${escapeHtml(v.link)}">Set your password</a></p>\n<p>${escapeHtml(outro)}</p>\n</body></html>\n`;
  return { subject: `You are invited to ${v.workspace} on Parley`, text, html };
}

// Why a link no longer works, in words the person holding it can act on. Stable codes: see
// docs/api/errors.md.
const notValid = () =>
  new AppError(
    404,
    "invitation_not_found",
    "This invitation link is not valid. Check that you opened the whole link, or ask an admin for a new one.",
  );

async function liveInvitation(db: Db, token: string, lock: boolean) {
  if (!/^inv_[A-Za-z0-9_-]{20,100}$/.test(token)) throw notValid();
  let query = db
    .selectFrom("user_invitations as i")
    .innerJoin("users as u", (join) =>
      join.onRef("u.workspace_id", "=", "i.workspace_id").onRef("u.id", "=", "i.user_id"),
    )
    .innerJoin("workspaces as w", "w.id", "i.workspace_id")
    .select([
      "i.id",
      "i.workspace_id",
      "i.user_id",
      "i.expires_at",
      "i.used_at",
      "u.name",
      "u.email",
      "u.active",
      "w.name as workspace_name",
    ])
    .where("i.token_hash", "=", sha256(token));
  if (lock) query = query.forUpdate("i");
  const found = await query.executeTakeFirst();
  if (!found) throw notValid();
  if (found.used_at) {
    throw new AppError(
      410,
      "invitation_used",
      "This invitation was already used. Sign in with the password you chose, or ask an admin for a new invitation.",
    );
  }
  if (found.expires_at.getTime() <= Date.now() || !found.active) {
    throw new AppError(
      410,
      "invitation_expired",
      "This invitation has expired. Ask an admin to send you a new one.",
    );
  }
  return found;
}

// What the set-password page shows before the password is chosen.
export async function describeInvitation(db: Db, token: string) {
  const found = await liveInvitation(db, token, false);
  return {
    name: found.name,
    email: found.email,
    workspaceName: found.workspace_name,
    expiresAt: found.expires_at.toISOString(),
  };
}

// Sets the first password and spends the token, in one transaction: two tabs racing with the
// same link get one success and one invitation_used.
export async function acceptInvitation(db: Db, token: string, password: string) {
  const passwordHash = await hashPassword(password);
  return inTransaction(db, async (trx) => {
    const found = await liveInvitation(trx, token, true);
    await trx
      .updateTable("users")
      .set({ password_hash: passwordHash, updated_at: new Date() })
      .where("workspace_id", "=", found.workspace_id)
      .where("id", "=", found.user_id)
      .execute();
    await trx
      .updateTable("user_invitations")
      .set({ used_at: sql`now()` })
      .where("workspace_id", "=", found.workspace_id)
      .where("id", "=", found.id)
      .execute();
    return { workspaceId: found.workspace_id, userId: found.user_id };
  });
}
