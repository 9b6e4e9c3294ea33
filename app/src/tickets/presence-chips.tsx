import type { PresenceUser } from "../api/realtime.ts";

// Who else has this ticket open right now, and whether they are writing: the first warning
// against two agents answering the same customer.
export function PresenceChips({ others }: { others: PresenceUser[] }) {
  const typing = others.filter((u) => u.state === "typing");
  return (
    <div className="presence" role="status" aria-label="Others on this ticket">
      {others.map((user) => (
        <span key={user.id} className={`presence-chip presence-${user.state}`}>
          <span className="presence-initial" aria-hidden="true">
            {user.name.charAt(0).toUpperCase()}
          </span>
          {user.name} is {user.state === "typing" ? "typing…" : "viewing"}
        </span>
      ))}
      {typing.length > 0 && <span className="sr-only">Someone else is writing on this ticket.</span>}
    </div>
  );
}
