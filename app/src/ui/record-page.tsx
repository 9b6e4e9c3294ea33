import type { UseQueryResult } from "@tanstack/react-query";
import { Link } from "@tanstack/react-router";
import { type ReactNode, useEffect, useId, useRef, useState } from "react";
import { ApiError, errorMessage } from "../api/client.ts";

interface RecordPageProps<T> {
  record: UseQueryResult<T>;
  // Lower case, as it reads mid-sentence: "contact", "organization".
  noun: string;
  // Why it may be gone, after "There is no such … in this workspace.".
  goneBecause: string;
  searchLabel: string;
  children: (record: T) => ReactNode;
}

// The frame of a page about one record (a contact, an organization): loading, not found, another
// error, or the page. A record of another workspace answers 404 like a missing one, so both read
// the same here.
export function RecordPage<T>({ record, noun, goneBecause, searchLabel, children }: RecordPageProps<T>) {
  if (record.error instanceof ApiError && record.error.status === 404) {
    return (
      <div className="empty-state">
        <h1>{`${noun[0].toUpperCase()}${noun.slice(1)} not found`}</h1>
        <p>{`There is no such ${noun} in this workspace. ${goneBecause}`}</p>
        <p>
          <Link to="/search">{searchLabel}</Link>
        </p>
      </div>
    );
  }
  if (record.error) {
    return (
      <div className="page">
        <p className="form-error" role="alert">
          {errorMessage(record.error)}
        </p>
      </div>
    );
  }
  if (record.data === undefined) return <p role="status">{`Loading ${noun}…`}</p>;
  return <div className="page contact-page">{children(record.data)}</div>;
}

// Editing in place: saving or cancelling removes the form, and the keyboard goes back to the
// button that opened it (give that button `editButtonId`).
export function useEditInPlace() {
  const [editing, setEditing] = useState(false);
  const editButtonId = useId();
  const wasEditing = useRef(false);
  useEffect(() => {
    if (wasEditing.current && !editing) document.getElementById(editButtonId)?.focus();
    wasEditing.current = editing;
  }, [editing, editButtonId]);
  return { editing, setEditing, editButtonId };
}
