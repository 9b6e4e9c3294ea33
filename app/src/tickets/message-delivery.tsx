import { useQuery } from "@tanstack/react-query";
import { useId } from "react";
import { errorMessage } from "../api/client.ts";
import type { Message, MessageDelivery } from "../api/types.ts";
import { meQuery } from "../auth/queries.ts";
import { Button } from "../ui/button.tsx";
import { formatDateTime } from "../ui/format.ts";
import { useRetryDelivery } from "./queries.ts";

const DELIVERY_LABELS: Record<string, string> = {
  queued: "Queued to send",
  sending: "Sending",
  sent: "Sent",
  failed: "Not delivered",
  bounced: "Bounced",
};

// Where an outbound mail is: the team needs to know a customer never got the answer, and to
// send it again once the cause is fixed (the mailbox's SMTP settings, the customer's address).
export function MessageDeliveryLine({ message }: { message: Message }) {
  const { data: me } = useQuery(meQuery());
  const id = useId();
  const delivery = message.delivery;
  if (!delivery) return null;
  const failed = delivery.status === "failed" || delivery.status === "bounced";
  // Light agents may not send again: the API refuses them, as it refuses their replies.
  const canRetry = failed && me !== undefined && me.role !== "light_agent";
  return (
    <div className={`message-delivery delivery-${delivery.status}`}>
      <span id={id}>
        Email: {DELIVERY_LABELS[delivery.status] ?? delivery.status}
        {delivery.sentAt && delivery.status === "sent" && <> {formatDateTime(delivery.sentAt)}</>}
        {failed && delivery.lastError && <> ({delivery.lastError})</>}
        {!failed && delivery.attempts > 1 && <> after {delivery.attempts} attempts</>}
      </span>
      {canRetry && <SendAgain ticketId={message.ticketId} delivery={delivery} describedBy={id} />}
    </div>
  );
}

function SendAgain({
  ticketId,
  delivery,
  describedBy,
}: {
  ticketId: number;
  delivery: MessageDelivery;
  describedBy: string;
}) {
  const retry = useRetryDelivery(ticketId);
  return (
    <>
      <Button
        className="btn-small"
        aria-describedby={describedBy}
        disabled={retry.isPending}
        onClick={() => retry.mutate(delivery.outboundId)}
      >
        Send again
      </Button>
      {retry.error && (
        <span className="delivery-error" role="alert">
          {errorMessage(retry.error)}
        </span>
      )}
    </>
  );
}
