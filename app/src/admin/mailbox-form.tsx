import { type ReactNode, useState } from "react";
import type { Mailbox } from "../api/types.ts";
import { useGroups } from "../shell/directory.ts";
import { errorsByField } from "../ui/field-errors.ts";
import { CheckboxField, SelectField, TextField } from "../ui/fields.tsx";
import { ResourceForm } from "../ui/resource-form.tsx";
import { type MailboxInput, useCreateMailbox, useUpdateMailbox } from "./queries.ts";

const INBOUND = [
  { value: "smtp", label: "Parley's SMTP listener (point MX or a relay at it)" },
  { value: "imap", label: "Fetch from an IMAP mailbox" },
  { value: "upload", label: "Uploads of raw mail through the API" },
];
const NON_PARTICIPANT = [
  { value: "append_flagged", label: "Add it to the ticket, flagged for review" },
  { value: "new_ticket", label: "Open a new ticket" },
];
const AUTOMATED = [
  { value: "ticket", label: "Open a ticket, marked automated, and never answer it automatically" },
  { value: "ignore", label: "Ignore it (listed under Mail problems with the reason)" },
];
const PLACED = ["name", "address", "groupId", "inbound", "imap", "smtp", "settings", "active"];

// Server settings with their write-only secret: the API says whether one is stored, never what.
function useServer(
  initial: { host: string; port: number; secure: boolean; user: string | null } | null,
  secureByDefault: boolean,
) {
  const [host, setHost] = useState(initial?.host ?? "");
  const [port, setPort] = useState(initial ? String(initial.port) : "");
  const [secure, setSecure] = useState(initial?.secure ?? secureByDefault);
  const [user, setUser] = useState(initial?.user ?? "");
  const [password, setPassword] = useState("");
  return { host, setHost, port, setPort, secure, setSecure, user, setUser, password, setPassword };
}

export function MailboxForm({ mailbox, onDone }: { mailbox?: Mailbox; onDone: () => void }) {
  const groups = useGroups();
  const create = useCreateMailbox();
  const update = useUpdateMailbox();
  const mutation = mailbox ? update : create;
  const [name, setName] = useState(mailbox?.name ?? "");
  const [address, setAddress] = useState(mailbox?.address ?? "");
  const [groupId, setGroupId] = useState(String(mailbox?.groupId ?? ""));
  const [inbound, setInbound] = useState<Mailbox["inbound"]>(mailbox?.inbound ?? "smtp");
  const imap = useServer(mailbox?.imap ?? null, true);
  const [folder, setFolder] = useState(mailbox?.imap?.folder ?? "INBOX");
  const [ownSmtp, setOwnSmtp] = useState(mailbox?.smtp !== null && mailbox?.smtp !== undefined);
  // Port 587 with STARTTLS is the usual submission port, so TLS from the start is off by default.
  const smtp = useServer(mailbox?.smtp ?? null, false);
  const [nonParticipant, setNonParticipant] = useState(
    mailbox?.settings.nonParticipantReplies ?? "append_flagged",
  );
  const [subjectChange, setSubjectChange] = useState(mailbox?.settings.newTicketOnSubjectChange ?? false);
  const [sendReceipt, setSendReceipt] = useState(mailbox?.settings.sendReceipt ?? true);
  const [automatedMail, setAutomatedMail] = useState(mailbox?.settings.automatedMail ?? "ticket");
  const [active, setActive] = useState(mailbox?.active ?? true);
  const errors = errorsByField(mutation.error);

  function submit() {
    const body: MailboxInput = {
      name: name.trim(),
      address: address.trim(),
      groupId: groupId ? Number(groupId) : null,
      inbound,
      settings: {
        nonParticipantReplies: nonParticipant,
        newTicketOnSubjectChange: subjectChange,
        sendReceipt,
        automatedMail,
      },
    };
    if (inbound === "imap") {
      body.imap = {
        host: imap.host.trim(),
        ...(imap.port ? { port: Number(imap.port) } : {}),
        secure: imap.secure,
        user: imap.user.trim(),
        folder: folder.trim() || "INBOX",
        // Left empty, the stored password stays.
        ...(imap.password ? { password: imap.password } : {}),
      };
    }
    if (ownSmtp) {
      body.smtp = {
        host: smtp.host.trim(),
        ...(smtp.port ? { port: Number(smtp.port) } : {}),
        secure: smtp.secure,
        ...(smtp.user.trim() ? { user: smtp.user.trim() } : {}),
        ...(smtp.password ? { password: smtp.password } : {}),
      };
    } else if (mailbox?.smtp) body.smtp = null;
    if (mailbox) update.mutate({ id: mailbox.id, ...body, active }, { onSuccess: onDone });
    else create.mutate(body, { onSuccess: onDone });
  }

  return (
    <ResourceForm
      error={mutation.error}
      placed={PLACED}
      pending={mutation.isPending}
      submitLabel={mailbox ? "Save mailbox" : "Add mailbox"}
      onSubmit={submit}
      onCancel={onDone}
    >
      <TextField
        label="Name"
        required
        value={name}
        error={errors.name}
        onChange={(e) => setName(e.target.value)}
      />
      <TextField
        label="Address"
        type="email"
        required
        value={address}
        error={errors.address}
        onChange={(e) => setAddress(e.target.value)}
      />
      <SelectField
        label="Route new tickets to group"
        value={groupId}
        error={errors.groupId}
        options={[
          { value: "", label: "No group" },
          ...groups.map((g) => ({ value: String(g.id), label: g.name })),
        ]}
        onChange={(e) => setGroupId(e.target.value)}
      />
      <SelectField
        label="Mail arrives by"
        value={inbound}
        error={errors.inbound}
        options={INBOUND}
        onChange={(e) => setInbound(e.target.value as Mailbox["inbound"])}
      />
      {inbound === "imap" && (
        <ServerFieldset
          kind="IMAP"
          legend="IMAP server"
          server={imap}
          error={errors.imap}
          portHint="Empty: 993 with TLS, 143 without."
          userRequired
          hasSecret={mailbox?.imap?.hasSecret ?? false}
        >
          <TextField label="IMAP folder" value={folder} onChange={(e) => setFolder(e.target.value)} />
        </ServerFieldset>
      )}
      <CheckboxField
        label="Send replies through this mailbox's own SMTP server"
        hint="Otherwise replies go out through the server-wide relay (PARLEY_SMTP_RELAY_URL)."
        checked={ownSmtp}
        onChange={(e) => setOwnSmtp(e.target.checked)}
      />
      {ownSmtp && (
        <ServerFieldset
          kind="SMTP"
          legend="Outgoing SMTP server"
          server={smtp}
          error={errors.smtp}
          portHint="Empty: 465 with TLS, 587 without."
          hasSecret={mailbox?.smtp?.hasSecret ?? false}
        />
      )}
      <SelectField
        label="A reply from someone not on the ticket"
        value={nonParticipant}
        options={NON_PARTICIPANT}
        onChange={(e) => setNonParticipant(e.target.value as typeof nonParticipant)}
      />
      <CheckboxField
        label="Open a new ticket when a reply's subject no longer matches"
        checked={subjectChange}
        onChange={(e) => setSubjectChange(e.target.checked)}
      />
      <CheckboxField
        label="Send customers a “we received your request” mail"
        checked={sendReceipt}
        onChange={(e) => setSendReceipt(e.target.checked)}
      />
      <SelectField
        label="Mail written by a machine (monitoring alerts, notifications, bulk mail)"
        hint="Out-of-office replies and bounces are always ignored."
        value={automatedMail}
        options={AUTOMATED}
        onChange={(e) => setAutomatedMail(e.target.value as typeof automatedMail)}
      />
      {mailbox && (
        <CheckboxField label="Active" checked={active} onChange={(e) => setActive(e.target.checked)} />
      )}
    </ResourceForm>
  );
}

interface ServerFieldsetProps {
  // Prefixes each label ("IMAP host"), so the two servers' fields stay told apart.
  kind: "IMAP" | "SMTP";
  legend: string;
  server: ReturnType<typeof useServer>;
  error: string | undefined;
  portHint: string;
  userRequired?: boolean;
  hasSecret: boolean;
  children?: ReactNode;
}

// Host, port, TLS, user and write-only password of one mail server. The API reports a bad
// server setting against the server as a whole ("imap", "smtp"), shown at the top.
function ServerFieldset({
  kind,
  legend,
  server,
  error,
  portHint,
  userRequired,
  hasSecret,
  children,
}: ServerFieldsetProps) {
  return (
    <fieldset className="subform">
      <legend>{legend}</legend>
      {error && (
        <p className="field-error" role="alert">
          {kind} {error}
        </p>
      )}
      <TextField
        label={`${kind} host`}
        required
        value={server.host}
        onChange={(e) => server.setHost(e.target.value)}
      />
      <TextField
        label={`${kind} port`}
        type="number"
        min={1}
        max={65535}
        hint={portHint}
        value={server.port}
        onChange={(e) => server.setPort(e.target.value)}
      />
      <CheckboxField
        label={`${kind} over TLS`}
        checked={server.secure}
        onChange={(e) => server.setSecure(e.target.checked)}
      />
      <TextField
        label={`${kind} user`}
        required={userRequired}
        value={server.user ?? ""}
        onChange={(e) => server.setUser(e.target.value)}
      />
      <TextField
        label={`${kind} password`}
        type="password"
        autoComplete="new-password"
        hint={
          hasSecret
            ? "A password is stored and never shown. Type a new one to replace it."
            : "Stored encrypted and never shown again."
        }
        value={server.password}
        onChange={(e) => server.setPassword(e.target.value)}
      />
      {children}
    </fieldset>
  );
}
