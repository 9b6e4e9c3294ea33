import { useState } from "react";
import { TICKET_PRIORITIES, TICKET_STATUSES, type TicketPriority, type TicketStatus } from "../api/types.ts";
import { useGroups, useUsers } from "../shell/directory.ts";
import { SelectField, TextField } from "../ui/fields.tsx";
import { humanize } from "../ui/format.ts";
import type { ViewFilters } from "./types.ts";

interface FilterPanelProps {
  id: string;
  filters: ViewFilters;
  onChange: (filters: ViewFilters) => void;
}

// The filters of the list on screen. Changing one lists the tickets it matches right away
// (unsaved); "Save as view" keeps them. Filters the panel has no control for (a requester, a
// date window) stay as the view had them.
export function FilterPanel({ id, filters, onChange }: FilterPanelProps) {
  const users = useUsers().filter((user) => user.role !== "light_agent");
  const groups = useGroups();
  const set = (patch: Partial<ViewFilters>) => onChange({ ...filters, ...patch });
  return (
    <section id={id} className="filter-panel" aria-label="Filters">
      <CheckboxSet
        legend="Status"
        options={TICKET_STATUSES}
        value={filters.status ?? []}
        onChange={(status) => set({ status: status as TicketStatus[] })}
      />
      <CheckboxSet
        legend="Priority"
        options={TICKET_PRIORITIES}
        value={filters.priority ?? []}
        onChange={(priority) => set({ priority: priority as TicketPriority[] })}
      />
      <SelectField
        label="Assignee"
        value={String(filters.assigneeId ?? "")}
        onChange={(event) => {
          const value = event.target.value;
          set({
            assigneeId: value === "" ? undefined : value === "me" || value === "none" ? value : Number(value),
          });
        }}
        options={[
          { value: "", label: "Anyone" },
          { value: "me", label: "Me" },
          { value: "none", label: "Unassigned" },
          ...users.map((user) => ({ value: String(user.id), label: user.name })),
        ]}
      />
      <SelectField
        label="Group"
        value={String(filters.groupId ?? "")}
        onChange={(event) => {
          const value = event.target.value;
          set({ groupId: value === "" ? undefined : value === "none" ? "none" : Number(value) });
        }}
        options={[
          { value: "", label: "Any group" },
          { value: "none", label: "No group" },
          ...groups.map((group) => ({ value: String(group.id), label: group.name })),
        ]}
      />
      <TagFilter tags={filters.tag ?? []} onChange={(tag) => set({ tag })} />
    </section>
  );
}

function CheckboxSet({
  legend,
  options,
  value,
  onChange,
}: {
  legend: string;
  options: readonly string[];
  value: string[];
  onChange: (value: string[]) => void;
}) {
  return (
    <fieldset className="filter-set">
      <legend>{legend}</legend>
      {options.map((option) => (
        <label key={option} className="checkbox-inline">
          <input
            type="checkbox"
            checked={value.includes(option)}
            onChange={(event) =>
              onChange(event.target.checked ? [...value, option] : value.filter((v) => v !== option))
            }
          />
          {humanize(option)}
        </label>
      ))}
    </fieldset>
  );
}

// The text is kept as typed ("vip, "), and the list filters by the tags it names so far.
function TagFilter({ tags, onChange }: { tags: string[]; onChange: (tags: string[]) => void }) {
  const [text, setText] = useState(tags.join(", "));
  return (
    <TextField
      label="Tags"
      hint="Tickets with all of these, comma separated"
      value={text}
      onChange={(event) => {
        setText(event.target.value);
        onChange(
          event.target.value
            .split(",")
            .map((tag) => tag.trim().toLowerCase())
            .filter(Boolean),
        );
      }}
    />
  );
}
