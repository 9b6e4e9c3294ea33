import { useSuspenseQuery } from "@tanstack/react-query";
import { useNavigate } from "@tanstack/react-router";
import { Dialog } from "radix-ui";
import { type FormEvent, useState } from "react";
import { errorMessage } from "../api/client.ts";
import { meQuery } from "../auth/queries.ts";
import { Button } from "../ui/button.tsx";
import { TextField } from "../ui/fields.tsx";
import { useCreateView } from "./queries.ts";
import type { Sort, ViewFilters } from "./types.ts";

interface SaveViewDialogProps {
  filters: ViewFilters;
  sort: Sort;
  suggestedName: string;
}

// Keeps the filters and sort on screen as a view: the agent's own, or (admins) the team's.
export function SaveViewDialog({ filters, sort, suggestedName }: SaveViewDialogProps) {
  const { data: me } = useSuspenseQuery(meQuery());
  const [open, setOpen] = useState(false);
  const [name, setName] = useState("");
  const [shared, setShared] = useState(false);
  const create = useCreateView();
  const navigate = useNavigate();

  const submit = (event: FormEvent) => {
    event.preventDefault();
    create.mutate(
      { name: name.trim(), shared, filters, sort },
      {
        onSuccess: (view) => {
          setOpen(false);
          void navigate({ to: "/views/$viewId", params: { viewId: view.id } });
        },
      },
    );
  };

  return (
    <Dialog.Root
      open={open}
      onOpenChange={(next) => {
        setOpen(next);
        if (next) {
          setName(suggestedName);
          setShared(false);
          create.reset();
        }
      }}
    >
      <Dialog.Trigger asChild>
        <Button>Save as view…</Button>
      </Dialog.Trigger>
      <Dialog.Portal>
        <Dialog.Overlay className="dialog-overlay" />
        <Dialog.Content className="dialog">
          <Dialog.Title>Save as view</Dialog.Title>
          <Dialog.Description>
            The filters and sort on screen, under a name in the sidebar.
          </Dialog.Description>
          <form onSubmit={submit}>
            <TextField
              label="View name"
              required
              maxLength={100}
              value={name}
              onChange={(event) => setName(event.target.value)}
              error={create.error ? errorMessage(create.error) : null}
            />
            {me.role === "admin" && (
              <label className="checkbox-inline">
                <input
                  type="checkbox"
                  checked={shared}
                  onChange={(event) => setShared(event.target.checked)}
                />
                Share with the whole team
              </label>
            )}
            <div className="dialog-actions">
              <Dialog.Close asChild>
                <Button>Cancel</Button>
              </Dialog.Close>
              <Button type="submit" variant="primary" disabled={create.isPending || !name.trim()}>
                Save view
              </Button>
            </div>
          </form>
        </Dialog.Content>
      </Dialog.Portal>
    </Dialog.Root>
  );
}
