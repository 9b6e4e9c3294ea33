import assert from "node:assert/strict";
import { test } from "node:test";
import { AppError } from "../http/errors.ts";
import type { Scope, UserActor } from "./actor.ts";
import { can, requireCan } from "./permissions.ts";

const admin = (scopes: Scope[] | null): UserActor => ({
  type: "user",
  workspaceId: 1,
  userId: 1,
  role: "admin",
  ticketAccess: "all",
  groupIds: [],
  scopes,
});

// Routes declare `config: { scope: "admin" }`; this holds even on a route that forgets to.
test("an admin's power through an API token needs the token's admin scope", () => {
  assert.equal(can(admin(null), "workspace.admin"), true, "a session has every scope");
  assert.equal(can(admin(["read", "write", "admin"]), "workspace.admin"), true);
  assert.equal(can(admin(["read", "write"]), "workspace.admin"), false);
  assert.equal(can(admin(["read", "write"]), "ticket.update"), true, "other actions follow the role");
  assert.throws(
    () => requireCan(admin(["read", "write"]), "workspace.admin"),
    (err: unknown) =>
      err instanceof AppError &&
      err.status === 403 &&
      err.code === "forbidden" &&
      /"admin" scope/.test(err.message),
  );
});
