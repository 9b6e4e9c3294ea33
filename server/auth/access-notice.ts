// Sent by the triggers of migration 20261207T0510 when a transaction that changes someone's
// rights commits (see there for which changes). Exactly one of userId, contactId and
// organizationId is set, except for a session, which names its user or its contact.
export const ACCESS_CHANNEL = "parley_access";

export interface AccessNotice {
  workspaceId: number;
  userId: number | null;
  contactId: number | null;
  organizationId: number | null;
}
