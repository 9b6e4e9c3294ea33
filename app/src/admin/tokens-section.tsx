import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { API_SCOPES, type ApiScope, type ApiToken } from "../api/types.ts";
import { useUserNames } from "../shell/directory.ts";
import { Button } from "../ui/button.tsx";
import { Dialog } from "../ui/dialog.tsx";
import { errorsByField } from "../ui/field-errors.ts";
import { CheckboxGroup, TextField } from "../ui/fields.tsx";
import { formatDateTime } from "../ui/format.ts";
import { ConfirmDelete, useConfirmDelete } from "../ui/resource-dialogs.tsx";
import { ResourceForm } from "../ui/resource-form.tsx";
import { ResourceSection, ResourceTable, RowAction } from "../ui/resource-table.tsx";
import { tokensQuery, useCreateToken, useRevokeToken } from "./queries.ts";

const SCOPE_LABELS: Record<ApiScope, string> = {
  read: "read: read tickets, contacts and settings",
  write: "write: create and change tickets and contacts",
  admin: "admin: change workspace settings",
};

function tokenStatus(token: ApiToken) {
  if (token.revokedAt) return "Revoked";
  if (token.expiresAt && new Date(token.expiresAt) <= new Date()) return "Expired";
  return "Active";
}

// Tokens act as the person who made them, narrowed by their scopes. The secret is shown once,
// right after creation; afterwards only its first characters identify it.
export function TokensSection() {
  const tokens = useQuery(tokensQuery());
  const users = useUserNames();
  const [creating, setCreating] = useState(false);
  const revoking = useConfirmDelete<ApiToken>(useRevokeToken());
  return (
    <ResourceSection
      id="tokens"
      title="Tokens"
      action={{ label: "New token", onClick: () => setCreating(true) }}
    >
      <ResourceTable
        rows={tokens.data}
        error={tokens.error}
        empty="No API tokens yet."
        columns={["Name", "Starts with", "Scopes", "Owner", "Last used", "Expires", "Status"]}
      >
        {(token) => (
          <tr key={token.id} className={tokenStatus(token) === "Active" ? undefined : "inactive"}>
            <th scope="row">{token.name}</th>
            <td>
              <code>{token.prefix}…</code>
            </td>
            <td>{token.scopes.join(", ")}</td>
            <td>{users.get(token.userId) ?? "…"}</td>
            <td>{token.lastUsedAt ? formatDateTime(token.lastUsedAt) : "Never"}</td>
            <td>{token.expiresAt ? formatDateTime(token.expiresAt) : "Never"}</td>
            <td>{tokenStatus(token)}</td>
            <td className="row-actions">
              {!token.revokedAt && (
                <RowAction verb="Revoke" name={token.name} onClick={() => revoking.ask(token)} />
              )}
            </td>
          </tr>
        )}
      </ResourceTable>
      <Dialog title="New API token" open={creating} onOpenChange={setCreating}>
        <TokenForm onDone={() => setCreating(false)} />
      </Dialog>
      <ConfirmDelete
        confirm={revoking}
        title={`Revoke ${revoking.target?.name ?? "token"}?`}
        message="Anything using it stops working at once. This cannot be undone."
        confirmLabel="Revoke token"
      />
    </ResourceSection>
  );
}

function TokenForm({ onDone }: { onDone: () => void }) {
  const create = useCreateToken();
  const [name, setName] = useState("");
  const [scopes, setScopes] = useState<string[]>(["read"]);
  const [expires, setExpires] = useState("");
  const errors = errorsByField(create.error);

  function submit() {
    create.mutate({
      name: name.trim(),
      scopes: scopes as ApiScope[],
      // The end of the chosen day, in the admin's own time zone.
      ...(expires ? { expiresAt: new Date(`${expires}T23:59:59`).toISOString() } : {}),
    });
  }

  if (create.data) {
    return (
      <div className="form">
        <p role="status">Token “{create.data.name}” created. Copy it now: it is not shown again.</p>
        <TextField
          label="Your new token"
          readOnly
          value={create.data.token}
          onFocus={(e) => e.currentTarget.select()}
        />
        <div className="form-actions">
          <Button
            variant="primary"
            onClick={() => {
              // The clipboard needs a secure context (https or localhost); elsewhere the box's text
              // is selected on focus for a manual copy.
              void navigator.clipboard?.writeText(create.data.token).catch(() => undefined);
            }}
          >
            Copy token
          </Button>
          <Button onClick={onDone}>Done</Button>
        </div>
      </div>
    );
  }

  return (
    <ResourceForm
      error={create.error}
      placed={["name", "scopes", "expiresAt"]}
      pending={create.isPending}
      submitDisabled={scopes.length === 0}
      submitLabel="Create token"
      onSubmit={submit}
      onCancel={onDone}
    >
      <TextField
        label="Name"
        required
        hint="What uses it, e.g. “CRM sync”."
        value={name}
        error={errors.name}
        onChange={(e) => setName(e.target.value)}
      />
      <CheckboxGroup
        legend="Scopes"
        options={API_SCOPES.map((s) => ({ value: s, label: SCOPE_LABELS[s] }))}
        value={scopes}
        onChange={setScopes}
        error={errors.scopes}
      />
      <TextField
        label="Expires on"
        type="date"
        hint="Leave empty for a token that does not expire."
        value={expires}
        error={errors.expiresAt}
        onChange={(e) => setExpires(e.target.value)}
      />
    </ResourceForm>
  );
}
