import { useState } from "react";
import type { Invitation, User } from "../api/types.ts";
import { useGroups } from "../shell/directory.ts";
import { errorsByField } from "../ui/field-errors.ts";
import { CheckboxGroup, RadioGroup, SelectField, TextField } from "../ui/fields.tsx";
import { ResourceForm } from "../ui/resource-form.tsx";
import { useCreateUser, useUpdateUser } from "./queries.ts";

const ROLES = [
  { value: "agent", label: "Agent" },
  { value: "admin", label: "Admin" },
  { value: "light_agent", label: "Light agent (reads and adds notes)" },
];
const ACCESS = [
  { value: "all", label: "All tickets" },
  { value: "groups", label: "Only tickets of their groups" },
];
const PLACED = ["name", "email", "role", "ticketAccess", "groupIds", "password"];

// 16 characters from a 54-letter alphabet without look-alikes: about 92 bits.
export function generatePassword(): string {
  const alphabet = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => alphabet[b % alphabet.length]).join("");
}

export type Invited =
  | { name: string; email: string; password: string }
  | { name: string; email: string; invitation: Invitation };

interface AgentFormProps {
  // Absent: invite a new agent.
  agent?: User;
  onDone: (created?: Invited) => void;
}

const ENTRY = [
  { value: "invite", label: "Send them an invitation to choose a password" },
  { value: "password", label: "Give them a password to pass on" },
];

// Inviting creates the account and, by default, mails a link to choose a password (or gives the
// admin the link when no mail can go out); an admin may set a first password instead. Email is
// fixed once created (it is how they sign in).
export function AgentForm({ agent, onDone }: AgentFormProps) {
  const groups = useGroups();
  const create = useCreateUser();
  const update = useUpdateUser();
  const mutation = agent ? update : create;
  const [name, setName] = useState(agent?.name ?? "");
  const [email, setEmail] = useState(agent?.email ?? "");
  const [role, setRole] = useState<User["role"]>(agent?.role ?? "agent");
  const [ticketAccess, setAccess] = useState<User["ticketAccess"]>(agent?.ticketAccess ?? "all");
  const [groupIds, setGroupIds] = useState<string[]>((agent?.groupIds ?? []).map(String));
  const [entry, setEntry] = useState("invite");
  const [password, setPassword] = useState(() => (agent ? "" : generatePassword()));
  const errors = errorsByField(mutation.error);

  function submit() {
    const input = { name: name.trim(), role, ticketAccess, groupIds: groupIds.map(Number) };
    if (agent) update.mutate({ id: agent.id, ...input }, { onSuccess: () => onDone() });
    else if (entry === "password")
      create.mutate({ ...input, email, password }, { onSuccess: () => onDone({ name, email, password }) });
    else
      create.mutate(
        { ...input, email },
        {
          onSuccess: (user) =>
            onDone(user.invitation ? { name, email, invitation: user.invitation } : undefined),
        },
      );
  }

  return (
    <ResourceForm
      error={mutation.error}
      placed={PLACED}
      pending={mutation.isPending}
      submitLabel={agent ? "Save agent" : "Invite agent"}
      onSubmit={submit}
      onCancel={() => onDone()}
    >
      <TextField
        label="Name"
        required
        value={name}
        error={errors.name}
        onChange={(e) => setName(e.target.value)}
      />
      {agent ? (
        <p className="field-hint">Signs in as {agent.email}</p>
      ) : (
        <TextField
          label="Email"
          type="email"
          required
          value={email}
          error={errors.email}
          onChange={(e) => setEmail(e.target.value)}
        />
      )}
      <SelectField
        label="Role"
        value={role}
        error={errors.role}
        options={ROLES}
        onChange={(e) => setRole(e.target.value as User["role"])}
      />
      <SelectField
        label="Ticket access"
        value={ticketAccess}
        error={errors.ticketAccess}
        options={ACCESS}
        onChange={(e) => setAccess(e.target.value as User["ticketAccess"])}
      />
      <CheckboxGroup
        legend="Groups"
        options={groups.map((g) => ({ value: String(g.id), label: g.name }))}
        value={groupIds}
        onChange={setGroupIds}
        error={errors.groupIds}
      />
      {!agent && <RadioGroup legend="How they get in" options={ENTRY} value={entry} onChange={setEntry} />}
      {!agent && entry === "password" && (
        <TextField
          label="First password"
          required
          minLength={10}
          autoComplete="off"
          hint="Pass it on to them; they change it in their settings after signing in."
          value={password}
          error={errors.password}
          onChange={(e) => setPassword(e.target.value)}
        />
      )}
    </ResourceForm>
  );
}
