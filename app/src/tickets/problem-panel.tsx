import { useInfiniteQuery, useQuery, useSuspenseQuery } from "@tanstack/react-query";
import { Link } from "@tanstack/react-router";
import { useState } from "react";
import { ApiError } from "../api/client.ts";
import type { Ticket } from "../api/types.ts";
import { meQuery } from "../auth/queries.ts";
import { Button } from "../ui/button.tsx";
import { humanize } from "../ui/format.ts";
import { PagedTicketTable } from "../ui/paged-ticket-table.tsx";
import { incidentPagesQuery, useLinkProblem } from "./problem-queries.ts";
import { ticketQuery } from "./queries.ts";
import { TicketPickerDialog } from "./ticket-picker.tsx";

// An incident names the problem behind it; a problem lists its incidents. Other tickets have
// neither. Light agents read both but change neither, as the API allows; merged and closed
// tickets are read-only.
export function ProblemPanel({ ticket }: { ticket: Ticket }) {
  const { data: me } = useSuspenseQuery(meQuery());
  const canChange = me.role !== "light_agent" && ticket.status !== "closed" && ticket.mergedIntoId === null;
  if (ticket.type === "incident") return <IncidentProblem incident={ticket} canChange={canChange} />;
  if (ticket.type === "problem") return <ProblemIncidents problem={ticket} canChange={canChange} />;
  return null;
}

// The API's refusal of a link, as a sentence.
export function linkErrorMessage(error: unknown): string {
  if (!(error instanceof ApiError)) return error instanceof Error ? error.message : String(error);
  const reason = error.errors.find((e) => e.path.endsWith("problemId"))?.message;
  // The server words these as sentences; an older one answered with a phrase about the field.
  if (reason) return /[.!?]$/.test(reason) ? reason : `This link cannot be made: ${reason}.`;
  if (error.status === 403) return "Your role cannot link tickets.";
  if (error.status === 404) return "That ticket is gone, or you cannot see it.";
  return /[.!?]$/.test(error.message) ? error.message : `${error.message}.`;
}

function IncidentProblem({ incident, canChange }: { incident: Ticket; canChange: boolean }) {
  const [picking, setPicking] = useState(false);
  const link = useLinkProblem(incident.problemId);
  const problem = useQuery({ ...ticketQuery(incident.problemId ?? 0), enabled: incident.problemId !== null });
  return (
    <section className="problem-link" aria-labelledby="problem-link-title">
      <h2 id="problem-link-title">Problem</h2>
      {incident.problemId === null ? (
        <p className="muted">This incident is not linked to a problem.</p>
      ) : (
        <p>
          <Link to="/tickets/$ticketId" params={{ ticketId: incident.problemId }}>
            {problem.data
              ? `#${problem.data.number} ${problem.data.subject}`
              : problem.error
                ? "A problem you cannot open"
                : "…"}
          </Link>
          {problem.data && (
            <>
              {" "}
              <span className={`status status-${problem.data.status}`}>{humanize(problem.data.status)}</span>
            </>
          )}
        </p>
      )}
      {incident.problemId !== null && (
        <p className="muted">When the problem is solved, this incident is solved with it.</p>
      )}
      {link.error && !picking && (
        <p className="form-error" role="alert">
          {linkErrorMessage(link.error)}
        </p>
      )}
      {canChange && (
        <div className="form-actions">
          <Button onClick={() => setPicking(true)}>
            {incident.problemId === null ? "Link to a problem" : "Link to another problem"}
          </Button>
          {incident.problemId !== null && (
            <Button
              variant="ghost"
              disabled={link.isPending}
              onClick={() => link.mutate({ incidentId: incident.id, problemId: null })}
            >
              Unlink from problem
            </Button>
          )}
        </div>
      )}
      {picking && (
        <LinkDialog
          link={link}
          linkFor={(chosen) => ({ incidentId: incident.id, problemId: chosen.id })}
          onClose={() => setPicking(false)}
          title="Link to a problem"
          description="Find the problem ticket that tracks the cause. Only tickets of type Problem are offered."
          accepts={(t) =>
            t.type === "problem" &&
            t.id !== incident.id &&
            t.id !== incident.problemId &&
            t.mergedIntoId === null
          }
          noneAccepted="No problem ticket matches. Only tickets of type Problem can be linked."
        />
      )}
    </section>
  );
}

function ProblemIncidents({ problem, canChange }: { problem: Ticket; canChange: boolean }) {
  const [picking, setPicking] = useState(false);
  const incidents = useInfiniteQuery(incidentPagesQuery(problem));
  const link = useLinkProblem(problem.id);
  return (
    <PagedTicketTable
      className="problem-incidents"
      title="Incidents"
      titleId="problem-incidents-title"
      caption="Incidents linked to this problem, oldest link first"
      tickets={incidents}
      columns={["status"]}
      moreLabel="More incidents"
      empty="No incidents you can see are linked to this problem."
    >
      <p className="muted">
        Solving this problem solves its linked incidents that are still open, and its latest public reply is
        posted to each of them, so every affected customer hears the fix.
      </p>
      {canChange && (
        <div className="form-actions">
          <Button onClick={() => setPicking(true)}>Link incident</Button>
        </div>
      )}
      {picking && (
        <LinkDialog
          link={link}
          linkFor={(chosen) => ({ incidentId: chosen.id, problemId: problem.id })}
          onClose={() => setPicking(false)}
          title="Link an incident"
          description="Find an incident ticket to link to this problem. Only tickets of type Incident are offered."
          accepts={(t) => t.type === "incident" && t.problemId !== problem.id && t.mergedIntoId === null}
          noneAccepted="No incident matches that is not linked here already. Only tickets of type Incident can be linked."
        />
      )}
    </PagedTicketTable>
  );
}

interface LinkDialogProps {
  link: ReturnType<typeof useLinkProblem>;
  // The link that picking this ticket makes, seen from the incident.
  linkFor: (chosen: Ticket) => { incidentId: number; problemId: number };
  onClose: () => void;
  title: string;
  description: string;
  accepts: (ticket: Ticket) => boolean;
  noneAccepted: string;
}

// The picker that makes the link and closes once it is made; a refusal stays in it.
function LinkDialog({ link, linkFor, onClose, ...text }: LinkDialogProps) {
  return (
    <TicketPickerDialog
      {...text}
      pickLabel="Link"
      pending={link.isPending}
      error={link.error ? linkErrorMessage(link.error) : null}
      onPick={(chosen) => link.mutate(linkFor(chosen), { onSuccess: onClose })}
      onClose={() => {
        link.reset();
        onClose();
      }}
    />
  );
}
