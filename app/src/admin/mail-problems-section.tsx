import {
  type InfiniteData,
  type UseInfiniteQueryResult,
  useInfiniteQuery,
  useQuery,
} from "@tanstack/react-query";
import { Link, useNavigate, useSearch } from "@tanstack/react-router";
import { useState } from "react";
import { Button } from "../ui/button.tsx";
import { SelectField } from "../ui/fields.tsx";
import { formatDateTime } from "../ui/format.ts";
import { ResourceSection, ResourceTable } from "../ui/resource-table.tsx";
import { RetryCell } from "../ui/retry-cell.tsx";
import {
  failedInboundQuery,
  failedOutboundQuery,
  type InboundMail,
  ignoredInboundQuery,
  mailboxesQuery,
  type OutboundMail,
  type RetryResult,
  rawInboundUrl,
  useRetryInbound,
  useRetryOutbound,
} from "./queries.ts";
import "./mail-problems.css";

type Announce = (text: string) => void;

// Says on the page what a retry did: `already` when someone or something had already done it.
function announceRetry(
  retrying: Promise<RetryResult>,
  announce: Announce,
  said: Record<RetryResult, string>,
) {
  retrying
    .then((result) => announce(said[result]))
    .catch(() => {
      // The row shows the refusal from the mutation's own state.
    });
}
// Rows announce through mutateAsync's promise, not mutate's per-call onSuccess: a retried row can
// leave its list (Parley's own retry, a live refetch) before the answer arrives, and TanStack Query
// drops the per-call callbacks of an unmounted component, so the page would never say what happened.

// Mail Parley could not handle: incoming mail that did not become a ticket or message, and
// replies that did not reach the customer. Each can be sent round again once its cause is fixed
// (a full disk, a mailbox's SMTP password, the customer's mailbox). What a retry did is said in
// one status line for the page, since a retried row leaves its list.
export function MailProblemsSection() {
  const [said, announce] = useState("");
  return (
    <div className="mail-problems">
      <p role="status" className="mail-problems-status">
        {said}
      </p>
      <IncomingProblems announce={announce} />
      <IgnoredIncoming announce={announce} />
      <OutgoingProblems announce={announce} />
    </div>
  );
}

function useMailboxNames() {
  const mailboxes = useQuery(mailboxesQuery());
  return (id: number) => mailboxes.data?.find((m) => m.id === id)?.name ?? "…";
}

// The mail's name in buttons and messages: its subject, or who sent it when it has none.
const nameOf = (subject: string, fallback: string) => (subject.trim() ? `“${subject}”` : fallback);

function IncomingProblems({ announce }: { announce: Announce }) {
  // The mailbox lives in the URL (?mailbox=<id>), so a link or a reload lands on the same list.
  const { mailbox } = useSearch({ from: "/signed-in/admin/$section" });
  const mails = useInfiniteQuery(failedInboundQuery(mailbox));
  const mailboxName = useMailboxNames();
  const where = mailbox === undefined ? "" : ` to ${mailboxName(mailbox)}`;
  return (
    <ResourceSection id="incoming-problems" title="Incoming mail that could not be processed">
      <MailboxFilter mailbox={mailbox} />
      <ResourceTable
        rows={mails.data?.pages.flatMap((p) => p.data)}
        error={mails.error}
        loading="Loading incoming mail…"
        empty={`Nothing is wrong here: every incoming mail${where} became a ticket or a message, or was deliberately ignored.`}
        columns={["Subject", "From", "Mailbox", "Received", "Reason", "Attempts"]}
      >
        {(mail) => (
          <IncomingRow key={mail.id} mail={mail} mailbox={mailboxName(mail.mailboxId)} announce={announce} />
        )}
      </ResourceTable>
      <LoadMore pages={mails} what="incoming mail" />
    </ResourceSection>
  );
}

// Every mailbox, inactive ones too: mail that failed before a mailbox was switched off still waits.
function MailboxFilter({ mailbox }: { mailbox: number | undefined }) {
  const mailboxes = useQuery(mailboxesQuery());
  const navigate = useNavigate();
  const options = [
    { value: "", label: "All mailboxes" },
    ...(mailboxes.data ?? []).map((m) => ({ value: String(m.id), label: m.name })),
  ];
  // A link to a mailbox this workspace does not have (or not yet loaded) still says what it shows.
  if (mailbox !== undefined && !mailboxes.data?.some((m) => m.id === mailbox)) {
    options.push({ value: String(mailbox), label: mailboxes.data ? "Unknown mailbox" : "Loading…" });
  }
  return (
    <div className="mail-problems-filter">
      <SelectField
        label="Mailbox"
        options={options}
        value={mailbox === undefined ? "" : String(mailbox)}
        onChange={(event) =>
          void navigate({
            to: "/admin/$section",
            params: { section: "mail-problems" },
            search: event.target.value ? { mailbox: Number(event.target.value) } : {},
            replace: true,
          })
        }
      />
    </div>
  );
}

function IncomingRow({
  mail,
  mailbox,
  announce,
}: {
  mail: InboundMail;
  mailbox: string;
  announce: Announce;
}) {
  const retry = useRetryInbound();
  const name = nameOf(mail.subject, `the mail from ${mail.from?.address ?? "an unknown sender"}`);
  const onRetry = () =>
    announceRetry(retry.mutateAsync(mail), announce, {
      already: `${name} was already processed.`,
      retried: `${name} was sent for processing again. It leaves this list unless it fails again.`,
    });
  return (
    <tr>
      <InboundCells mail={mail} mailbox={mailbox} />
      <td className="mail-problem-reason">
        <span className="problem">{mail.reason ?? "No reason was recorded."}</span>
        <br />
        <span className="muted">
          {mail.retryAt
            ? `Parley tries again by itself at ${formatDateTime(mail.retryAt)}.`
            : "Parley no longer tries by itself."}
        </span>
      </td>
      <td className="numeric">{mail.attempts}</td>
      <RetryCell name={name} verb="Retry" pendingVerb="Retrying…" retry={retry} onRetry={onRetry}>
        <RawMailLink mail={mail} name={name} />
      </RetryCell>
    </tr>
  );
}

// Mail Parley chose not to make a ticket of, with the reason: bounces, auto-replies, mail loops,
// blocked senders, and automated mail (alerts, notifications) a mailbox is set to drop. A retry
// processes it again, e.g. after unblocking the sender or letting the mailbox take automated mail.
function IgnoredIncoming({ announce }: { announce: Announce }) {
  const { mailbox } = useSearch({ from: "/signed-in/admin/$section" });
  const mails = useInfiniteQuery(ignoredInboundQuery(mailbox));
  const mailboxName = useMailboxNames();
  return (
    <ResourceSection id="ignored-incoming" title="Incoming mail that was ignored">
      <ResourceTable
        rows={mails.data?.pages.flatMap((p) => p.data)}
        error={mails.error}
        loading="Loading ignored mail…"
        empty="No incoming mail was ignored."
        columns={["Subject", "From", "Mailbox", "Received", "Why it was ignored"]}
      >
        {(mail) => (
          <IgnoredRow key={mail.id} mail={mail} mailbox={mailboxName(mail.mailboxId)} announce={announce} />
        )}
      </ResourceTable>
      <LoadMore pages={mails} what="ignored mail" />
    </ResourceSection>
  );
}

function IgnoredRow({ mail, mailbox, announce }: { mail: InboundMail; mailbox: string; announce: Announce }) {
  const retry = useRetryInbound();
  const name = nameOf(mail.subject, `the mail from ${mail.from?.address ?? "an unknown sender"}`);
  const onRetry = () =>
    announceRetry(retry.mutateAsync(mail), announce, {
      already: `${name} was already processed.`,
      retried: `${name} was sent for processing again. It stays in this list if it is ignored again.`,
    });
  return (
    <tr>
      <InboundCells mail={mail} mailbox={mailbox} />
      <td className="mail-problem-reason">{mail.reason ?? "No reason was recorded."}</td>
      <RetryCell name={name} verb="Process again" pendingVerb="Processing…" retry={retry} onRetry={onRetry}>
        <RawMailLink mail={mail} name={name} />
      </RetryCell>
    </tr>
  );
}

// Subject, sender, mailbox and arrival: the columns both incoming lists begin with.
function InboundCells({ mail, mailbox }: { mail: InboundMail; mailbox: string }) {
  return (
    <>
      <th scope="row">{mail.subject.trim() || <span className="muted">(no subject)</span>}</th>
      <td>{mail.from ? <Sender {...mail.from} /> : <span className="muted">unknown</span>}</td>
      <td>{mailbox}</td>
      <td>
        <time dateTime={mail.receivedAt}>{formatDateTime(mail.receivedAt)}</time>
      </td>
    </>
  );
}

function Sender({ address, name }: { address: string; name: string }) {
  if (!name) return address;
  return (
    <>
      {name} <span className="muted">&lt;{address}&gt;</span>
    </>
  );
}

function OutgoingProblems({ announce }: { announce: Announce }) {
  const mails = useInfiniteQuery(failedOutboundQuery());
  const mailboxName = useMailboxNames();
  return (
    <ResourceSection id="outgoing-problems" title="Outgoing mail that was not delivered">
      <ResourceTable
        rows={mails.data?.pages.flatMap((p) => p.data)}
        error={mails.error}
        loading="Loading outgoing mail…"
        empty="Nothing is wrong here: no outgoing mail failed or bounced."
        columns={["Subject", "To", "Mailbox", "Last tried", "Reason", "Attempts"]}
      >
        {(mail) => (
          <OutgoingRow key={mail.id} mail={mail} mailbox={mailboxName(mail.mailboxId)} announce={announce} />
        )}
      </ResourceTable>
      <LoadMore pages={mails} what="outgoing mail" />
    </ResourceSection>
  );
}

function OutgoingRow({
  mail,
  mailbox,
  announce,
}: {
  mail: OutboundMail;
  mailbox: string;
  announce: Announce;
}) {
  const retry = useRetryOutbound();
  const name = nameOf(mail.subject, `the mail to ${mail.to.join(", ")}`);
  const onRetry = () =>
    announceRetry(retry.mutateAsync(mail), announce, {
      already: `${name} is no longer failed: it was already sent again.`,
      retried: `${name} is queued to be sent again. The ticket shows whether it gets through.`,
    });
  const subject = mail.subject.trim() || "(no subject)";
  return (
    <tr>
      <th scope="row">
        {mail.ticketId ? (
          <Link to="/tickets/$ticketId" params={{ ticketId: mail.ticketId }}>
            {subject}
          </Link>
        ) : (
          subject
        )}
      </th>
      <td>{[...mail.to, ...mail.cc].join(", ")}</td>
      <td>{mailbox}</td>
      <td>
        <time dateTime={mail.updatedAt}>{formatDateTime(mail.updatedAt)}</time>
      </td>
      <td className="mail-problem-reason">
        <strong>{mail.status === "bounced" ? "Bounced" : "Not delivered"}</strong>
        {mail.bounce?.recipient && ` by ${mail.bounce.recipient}`}
        {mail.bounce?.status && ` (${mail.bounce.status})`}
        {mail.lastError && (
          <>
            : <span className="problem">{mail.lastError}</span>
          </>
        )}
      </td>
      <td className="numeric">{mail.attempts}</td>
      <RetryCell name={name} verb="Retry" pendingVerb="Retrying…" retry={retry} onRetry={onRetry} />
    </tr>
  );
}

// The stored message as it arrived, for an admin to inspect in a mail client.
function RawMailLink({ mail, name }: { mail: InboundMail; name: string }) {
  return (
    <a
      className="btn btn-ghost"
      href={rawInboundUrl(mail)}
      download={`inbound-${mail.id}.eml`}
      aria-label={`Download raw ${name}`}
    >
      Download raw
    </a>
  );
}

// Every list has one: each names what it loads, so the buttons can be told apart.
function LoadMore<T>({ pages, what }: { pages: UseInfiniteQueryResult<InfiniteData<T>>; what: string }) {
  if (!pages.hasNextPage) return null;
  return (
    <Button
      className="load-more"
      aria-label={`Load more ${what}`}
      onClick={() => void pages.fetchNextPage()}
      disabled={pages.isFetchingNextPage}
    >
      {pages.isFetchingNextPage ? "Loading…" : "Load more"}
    </Button>
  );
}
