import { useMutation, useSuspenseQuery } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { api } from "../api/client.ts";
import type { User } from "../api/types.ts";
import { Button } from "../ui/button.tsx";
import { errorsByField, formError } from "../ui/field-errors.ts";
import { SelectField, TextArea, TextField } from "../ui/fields.tsx";
import { localTime, timeZoneOptions } from "../ui/time-zones.ts";
import { meQuery, useAvailability, useUpdateMe } from "./queries.ts";

export function SettingsPage() {
  return (
    <div className="page settings">
      <h1>Your settings</h1>
      <ProfileForm />
      <AvailabilityForm />
      <PasswordForm />
    </div>
  );
}

function ProfileForm() {
  const { data: me } = useSuspenseQuery(meQuery());
  const update = useUpdateMe();
  const [name, setName] = useState(me.name);
  const [timeZone, setTimeZone] = useState(me.timeZone);
  const [signature, setSignature] = useState(me.signature);
  const errors = errorsByField(update.error);
  const now = localTime(timeZone);
  function submit(event: FormEvent) {
    event.preventDefault();
    update.mutate({ name: name.trim(), timeZone, signature });
  }
  return (
    <form className="card form" onSubmit={submit} aria-labelledby="profile-title">
      <h2 id="profile-title">Profile</h2>
      <p className="muted">Signed in as {me.email}.</p>
      <TextField
        label="Name"
        required
        value={name}
        error={errors.name}
        onChange={(e) => setName(e.target.value)}
      />
      <SelectField
        label="Time zone"
        value={timeZone}
        error={errors.timeZone}
        hint={`Times in Parley are shown in this zone${now ? ` (now ${now} there)` : ""}.`}
        onChange={(e) => setTimeZone(e.target.value)}
        options={timeZoneOptions(me.timeZone)}
      />
      <TextArea
        label="Signature"
        rows={3}
        hint="Added below your replies to customers."
        value={signature}
        error={errors.signature}
        onChange={(e) => setSignature(e.target.value)}
      />
      {update.error && (
        <p className="form-error" role="alert">
          {formError(update.error, ["name", "timeZone", "signature"])}
        </p>
      )}
      {update.isSuccess && <p role="status">Profile saved.</p>}
      <Button type="submit" variant="primary" disabled={update.isPending}>
        Save profile
      </Button>
    </form>
  );
}

const AVAILABILITY: { value: User["availability"]; label: string; hint: string }[] = [
  { value: "online", label: "Online", hint: "Working tickets now." },
  { value: "away", label: "Away", hint: "Back soon: a break or a meeting." },
  { value: "offline", label: "Offline", hint: "Not working: the end of a shift." },
];

// The same setting as the top bar's picker, with what each state means.
function AvailabilityForm() {
  const { data: me } = useSuspenseQuery(meQuery());
  const availability = useAvailability(me.availability);
  return (
    <fieldset className="card form availability-form">
      <legend>Availability</legend>
      {AVAILABILITY.map((option) => (
        <label key={option.value} className="checkbox-row">
          <input
            type="radio"
            name="availability"
            value={option.value}
            checked={availability.value === option.value}
            onChange={() => availability.choose(option.value)}
          />
          <span>
            {option.label} <span className="muted">{option.hint}</span>
          </span>
        </label>
      ))}
      {availability.error && (
        <p className="form-error" role="alert">
          {formError(availability.error)}
        </p>
      )}
    </fieldset>
  );
}

function PasswordForm() {
  const [currentPassword, setCurrent] = useState("");
  const [newPassword, setNew] = useState("");
  const [repeat, setRepeat] = useState("");
  const [mismatch, setMismatch] = useState(false);
  const change = useMutation({
    mutationFn: () => api<void>("/api/v1/auth/password", { body: { currentPassword, newPassword } }),
    onSuccess: () => {
      setCurrent("");
      setNew("");
      setRepeat("");
    },
  });
  const errors = errorsByField(change.error);
  function submit(event: FormEvent) {
    event.preventDefault();
    setMismatch(newPassword !== repeat);
    if (newPassword === repeat) change.mutate();
  }
  return (
    <form className="card form" onSubmit={submit} aria-labelledby="password-title">
      <h2 id="password-title">Password</h2>
      <TextField
        label="Current password"
        type="password"
        autoComplete="current-password"
        required
        value={currentPassword}
        error={errors.currentPassword}
        onChange={(e) => setCurrent(e.target.value)}
      />
      <TextField
        label="New password"
        type="password"
        autoComplete="new-password"
        required
        minLength={10}
        hint="At least 10 characters. Your other sessions are signed out."
        value={newPassword}
        error={errors.newPassword}
        onChange={(e) => setNew(e.target.value)}
      />
      <TextField
        label="Repeat the new password"
        type="password"
        autoComplete="new-password"
        required
        value={repeat}
        error={mismatch ? "does not match the new password" : null}
        onChange={(e) => setRepeat(e.target.value)}
      />
      {change.error && (
        <p className="form-error" role="alert">
          {formError(change.error, ["currentPassword", "newPassword"])}
        </p>
      )}
      {change.isSuccess && <p role="status">Password changed. Other browsers were signed out.</p>}
      <Button type="submit" variant="primary" disabled={change.isPending}>
        Change password
      </Button>
    </form>
  );
}
