// Sent by the notifications table's trigger (migration 20261205T1610) when a transaction that
// adds or reads a user's notifications commits. The realtime hub pushes it to that user's sockets
// only; the payload says nothing about the notification, so nothing leaks if it were misrouted.
export const NOTIFICATIONS_CHANNEL = "parley_notifications";

export interface NotificationNotice {
  workspaceId: number;
  userId: number;
  reason: "created" | "read";
}
