import { useMutation, useSuspenseQuery } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { api, errorMessage } from "../api/client.ts";
import { Button } from "../ui/button.tsx";
import { SelectField, TextArea, TextField } from "../ui/fields.tsx";
import { meQuery, useUpdateMe } from "./queries.ts";

const ZONES: string[] =
  typeof Intl.supportedValuesOf === "function" ? Intl.supportedValuesOf("timeZone") : ["UTC"];

export function SettingsPage() {
  return (
    <div className="page">
      <h1>Your settings</h1>
      <ProfileForm />
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
  function submit(event: FormEvent) {
    event.preventDefault();
    update.mutate({ name, timeZone, signature });
  }
  const zones = ZONES.includes(me.timeZone) ? ZONES : [me.timeZone, ...ZONES];
  return (
    <form className="card form" onSubmit={submit} aria-labelledby="profile-title">
      <h2 id="profile-title">Profile</h2>
      <TextField label="Name" required value={name} onChange={(e) => setName(e.target.value)} />
      <SelectField
        label="Time zone"
        value={timeZone}
        onChange={(e) => setTimeZone(e.target.value)}
        options={zones.map((zone) => ({ value: zone, label: zone }))}
      />
      <TextArea label="Signature" rows={3} value={signature} onChange={(e) => setSignature(e.target.value)} />
      {update.error && (
        <p className="form-error" role="alert">
          {errorMessage(update.error)}
        </p>
      )}
      {update.isSuccess && <p role="status">Saved.</p>}
      <Button type="submit" variant="primary" disabled={update.isPending}>
        Save profile
      </Button>
    </form>
  );
}

function PasswordForm() {
  const [currentPassword, setCurrent] = useState("");
  const [newPassword, setNew] = useState("");
  const change = useMutation({
    mutationFn: () => api<void>("/api/v1/auth/password", { body: { currentPassword, newPassword } }),
    onSuccess: () => {
      setCurrent("");
      setNew("");
    },
  });
  function submit(event: FormEvent) {
    event.preventDefault();
    change.mutate();
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
        onChange={(e) => setNew(e.target.value)}
      />
      {change.error && (
        <p className="form-error" role="alert">
          {errorMessage(change.error)}
        </p>
      )}
      {change.isSuccess && <p role="status">Password changed.</p>}
      <Button type="submit" variant="primary" disabled={change.isPending}>
        Change password
      </Button>
    </form>
  );
}
