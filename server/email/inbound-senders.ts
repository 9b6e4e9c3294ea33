import type { Db } from "../db/connection.ts";
import type { MailboxDirectory } from "./mailbox-directory.ts";
import type { Address, ParsedEmail } from "./parse.ts";

// Who a mail is from and whom else it concerns, as processing sees it: never one of Parley's own
// mailboxes, never a robot's address.

export const NO_REPLY = /^(no-?reply|do-?not-?reply|donotreply|mailer-daemon|postmaster)([+.-].*)?@/i;
export const MAX_PARTICIPANTS = 50;

// Lowercased addresses among `addresses` that belong to a Parley mailbox (of any workspace: an
// address maps to one mailbox installation-wide), plus-addressing included.
export async function ownMailboxes(
  trx: Db,
  mailboxes: MailboxDirectory,
  addresses: string[],
): Promise<Set<string>> {
  if (addresses.length === 0) return new Set();
  return new Set((await mailboxes.lookup(addresses, trx)).keys());
}

// Replies go to Reply-To when the mail asks for it, unless that is a robot's address or our own
// (a forwarding group that sets Reply-To to itself). Addresses were checked when parsed: an
// invalid one never gets this far. Null when there is none; `parsed.fromProblem` says why.
export async function senderOf(
  trx: Db,
  mailboxes: MailboxDirectory,
  parsed: ParsedEmail,
): Promise<Address | null> {
  const replyTo = parsed.replyTo.filter((a) => a.address.includes("@") && !NO_REPLY.test(a.address));
  const own = await ownMailboxes(
    trx,
    mailboxes,
    replyTo.map((a) => a.address),
  );
  const chosen = replyTo.find((a) => !own.has(a.address.trim().toLowerCase()));
  if (chosen) return chosen;
  return parsed.from;
}

// The other people the mail went to (To and Cc), lower-cased with their names, minus robots and
// Parley's own mailboxes; the caller drops the sender and blocked contacts.
export async function otherRecipients(
  trx: Db,
  mailboxes: MailboxDirectory,
  parsed: ParsedEmail,
): Promise<Map<string, string>> {
  const candidates = new Map<string, string>();
  for (const a of [...parsed.to, ...parsed.cc]) {
    const address = a.address.trim().toLowerCase();
    if (address.includes("@") && !NO_REPLY.test(address) && !candidates.has(address))
      candidates.set(address, a.name);
  }
  if (candidates.size === 0) return candidates;
  const own = await ownMailboxes(trx, mailboxes, [...candidates.keys()]);
  for (const address of own) candidates.delete(address);
  return candidates;
}
