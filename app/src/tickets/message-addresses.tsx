import { useId, useState } from "react";
import type { Message } from "../api/types.ts";
import { type EmailAddress, messageEmail } from "./types.ts";

interface Addresses {
  from: EmailAddress | null;
  to: EmailAddress[];
  cc: EmailAddress[];
  replyTo: EmailAddress[];
  // Recipients past what the server kept, as "and N more".
  omitted: { to: number; cc: number; replyTo: number };
}

const bare = (address: string): EmailAddress => ({ address, name: "" });

// A mail that came in carries its headers (message.email); one Parley sent carries where it went
// (message.delivery). Anything else (notes, chat, the web form) has no addresses.
function addressesOf(message: Message): Addresses | null {
  const email = messageEmail(message);
  if (email) {
    return {
      from: email.from,
      to: email.to,
      cc: email.cc,
      replyTo: email.replyTo ?? [],
      omitted: email.recipientsOmitted ?? { to: 0, cc: 0, replyTo: 0 },
    };
  }
  const delivery = message.delivery;
  if (delivery?.from && delivery.to) {
    return {
      from: delivery.from,
      to: delivery.to.map(bare),
      cc: (delivery.cc ?? []).map(bare),
      replyTo: [],
      omitted: { to: 0, cc: 0, replyTo: 0 },
    };
  }
  return null;
}

const full = (a: EmailAddress) => (a.name ? `${a.name} <${a.address}>` : a.address);
const short = (a: EmailAddress) => a.name || a.address;

function listed(addresses: EmailAddress[], omitted: number) {
  const text = addresses.map(full).join(", ");
  return omitted > 0 ? `${text} and ${omitted} more` : text;
}

// "from Casey Jones to Support +2", which opens to the full From, To, Cc and Reply-To: the
// addresses matter now and then (who else was copied, where a reply goes), not on every message.
export function MessageAddresses({ message }: { message: Message }) {
  const id = useId();
  const [open, setOpen] = useState(false);
  const addresses = addressesOf(message);
  if (!addresses) return null;
  const { from, to, cc, replyTo, omitted } = addresses;
  const others = to.length + cc.length + omitted.to + omitted.cc - (to.length > 0 ? 1 : 0);
  const summary = [
    from ? `from ${short(from)}` : null,
    to[0] ? `to ${short(to[0])}${others > 0 ? ` +${others}` : ""}` : null,
  ]
    .filter(Boolean)
    .join(" ");
  const rows: [string, string][] = [
    ["From", from ? full(from) : ""],
    ["To", listed(to, omitted.to)],
    ["Cc", listed(cc, omitted.cc)],
    ["Reply-To", listed(replyTo, omitted.replyTo)],
  ];
  return (
    <div className="message-addresses">
      <button
        type="button"
        className="message-addresses-toggle"
        aria-expanded={open}
        aria-controls={`${id}-details`}
        onClick={() => setOpen(!open)}
      >
        {summary || "Addresses"}
        <span aria-hidden="true">{open ? " ▴" : " ▾"}</span>
      </button>
      {open && (
        <dl id={`${id}-details`} className="message-addresses-details" aria-label="Mail addresses">
          {rows
            .filter(([, value]) => value)
            .map(([label, value]) => (
              <div key={label}>
                <dt>{label}</dt>
                <dd>{value}</dd>
              </div>
            ))}
        </dl>
      )}
    </div>
  );
}
