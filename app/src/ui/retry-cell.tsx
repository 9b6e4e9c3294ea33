import type { ReactNode } from "react";
import { errorMessage } from "../api/client.ts";
import { RowAction } from "./resource-table.tsx";

interface RetryCellProps {
  // What the row is, for the button's accessible name ("Retry “Invoice”").
  name: string;
  verb: string;
  pendingVerb: string;
  retry: { isPending: boolean; error: unknown };
  onRetry: () => void;
  // Other buttons of the row, before the retry.
  children?: ReactNode;
}

// A table row's retry button, with the API's reason beside it when the retry is refused.
export function RetryCell({ name, verb, pendingVerb, retry, onRetry, children }: RetryCellProps) {
  return (
    <td className="row-actions">
      {children}
      <RowAction
        verb={retry.isPending ? pendingVerb : verb}
        name={name}
        onClick={onRetry}
        disabled={retry.isPending}
      />
      {Boolean(retry.error) && (
        <p role="alert" className="problem mail-problems-error">
          Could not retry: {errorMessage(retry.error)}
        </p>
      )}
    </td>
  );
}
