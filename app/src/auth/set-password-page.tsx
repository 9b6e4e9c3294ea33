import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useNavigate } from "@tanstack/react-router";
import { type FormEvent, useEffect, useState } from "react";
import { api, errorMessage } from "../api/client.ts";
import type { User } from "../api/types.ts";
import { Button } from "../ui/button.tsx";
import { TextField } from "../ui/fields.tsx";
import { meKeys } from "./queries.ts";

interface InvitationDetails {
  name: string;
  email: string;
  workspaceName: string;
  expiresAt: string;
}

// The invitation link's token sits in the fragment (#token=inv_...), which the browser never sends
// to a server, so no log or Referer keeps it. The page is public: the person has no password yet.
function tokenFromLocation(): string {
  return new URLSearchParams(window.location.hash.replace(/^#/, "")).get("token") ?? "";
}

export function SetPasswordPage() {
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [token] = useState(tokenFromLocation);
  const [password, setPassword] = useState("");
  const [repeat, setRepeat] = useState("");
  const [mismatch, setMismatch] = useState(false);
  useEffect(() => {
    document.title = "Choose your password · Parley";
  }, []);
  const invitation = useQuery({
    queryKey: ["invitation", token],
    queryFn: () => api<InvitationDetails>("/api/v1/invitations/lookup", { body: { token } }),
    enabled: token !== "",
    retry: false,
    staleTime: Number.POSITIVE_INFINITY,
  });
  const accept = useMutation({
    mutationFn: () => api<User>("/api/v1/invitations/accept", { body: { token, password } }),
    onSuccess: async (user) => {
      // The server signed the person in with the new password.
      queryClient.setQueryData(meKeys.me(), user);
      await navigate({ to: "/" });
    },
  });

  function submit(event: FormEvent) {
    event.preventDefault();
    setMismatch(password !== repeat);
    if (password === repeat) accept.mutate();
  }

  const problem = token === "" ? "This page needs the whole link from your invitation mail." : null;
  return (
    <main className="login">
      <form className="login-card" onSubmit={submit} aria-labelledby="set-password-title">
        <h1 id="set-password-title">Choose your password</h1>
        {invitation.data && (
          <p>
            Welcome to {invitation.data.workspaceName}, {invitation.data.name}. You will sign in as{" "}
            <strong>{invitation.data.email}</strong>.
          </p>
        )}
        {(problem || invitation.error) && (
          <p className="form-error" role="alert">
            {problem ?? errorMessage(invitation.error)}
          </p>
        )}
        {invitation.data && (
          <>
            <TextField
              label="New password"
              type="password"
              autoComplete="new-password"
              hint="At least 10 characters."
              minLength={10}
              required
              value={password}
              onChange={(event) => setPassword(event.target.value)}
            />
            <TextField
              label="Repeat the password"
              type="password"
              autoComplete="new-password"
              required
              value={repeat}
              error={mismatch ? "The two passwords are not the same." : undefined}
              onChange={(event) => setRepeat(event.target.value)}
            />
            {accept.error && (
              <p className="form-error" role="alert">
                {errorMessage(accept.error)}
              </p>
            )}
            <Button type="submit" variant="primary" disabled={accept.isPending}>
              {accept.isPending ? "Saving…" : "Set password and sign in"}
            </Button>
          </>
        )}
      </form>
    </main>
  );
}
