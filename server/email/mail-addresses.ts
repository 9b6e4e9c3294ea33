import { addressParser, type Address as PostalAddress } from "postal-mime";

// Addresses as mail carries them, checked before anything is stored: a broken From
// ("spain transfer@example.com>") must not become a contact nobody can write to.

export interface Address {
  address: string;
  name: string;
}

// Letters beyond ASCII are allowed (RFC 6531 addresses); quoted local parts and address literals
// are not, as the contacts API would refuse them.
const ATOM = "[A-Za-z0-9!#$%&'*+/=?^_`{|}~\\u0080-\\u{10FFFF}-]+";
const LABEL =
  "[A-Za-z0-9\\u0080-\\u{10FFFF}](?:[A-Za-z0-9\\u0080-\\u{10FFFF}-]{0,61}[A-Za-z0-9\\u0080-\\u{10FFFF}])?";
const VALID = new RegExp(`^${ATOM}(?:\\.${ATOM})*@${LABEL}(?:\\.${LABEL})+$`, "u");

export const isValidAddress = (address: string) => address.length <= 320 && VALID.test(address);

// The address itself when valid, else the first valid address among its pieces: stray brackets and
// quotes from a broken header are cut away ("transfer@example.com>"). Only the address part is
// searched, never the display name, which is free text the sender chose.
export function usableAddress(raw: string): string | null {
  const address = raw.trim();
  if (isValidAddress(address)) return address;
  for (const piece of address.split(/[\s<>"'(),;[\]]+/)) if (isValidAddress(piece)) return piece;
  return null;
}

// Mailbox lists flattened: a group ("Team: a@x, b@y;") contributes its members; entries without a
// usable address (undisclosed-recipients:;) are dropped.
export function mailboxes(list: PostalAddress[] | PostalAddress | undefined): Address[] {
  const out: Address[] = [];
  for (const entry of Array.isArray(list) ? list : list ? [list] : []) {
    for (const m of entry.group ?? [entry]) {
      const address = usableAddress(m.address ?? "");
      if (address) out.push({ address, name: (m.name ?? "").trim() });
    }
  }
  return out;
}

export interface FromHeader {
  from: Address | null;
  // Why there is no sender, in words for the failed-mail list; null when there is one.
  problem: string | null;
}

// The sender: the first usable mailbox of the first From header that has one. A mail with two
// From headers, the first unusable, still has a sender; so has one whose From is missing or
// broken but whose Sender (the mailbox that sent it on the author's behalf) is usable.
export function senderFromHeaders(values: string[], senders: string[] = []): FromHeader {
  for (const value of [...values, ...senders]) {
    const [first] = mailboxes(addressParser(value));
    if (first) return { from: first, problem: null };
  }
  if (values.length === 0) return { from: null, problem: "The mail has no From header." };
  const shown = values.map((v) => JSON.stringify(v.slice(0, 200))).join(" and ");
  return {
    from: null,
    problem: `The From header ${shown} holds no valid email address, so there is no sender to answer.`,
  };
}
