import { DropdownMenu } from "radix-ui";
import type { TicketStatus } from "../api/types.ts";
import { Button } from "../ui/button.tsx";
import { humanize } from "../ui/format.ts";

const AFTER_SEND: TicketStatus[] = ["open", "pending", "on_hold", "solved"];

interface SendButtonProps {
  label: string;
  disabled: boolean;
  // Setting the status needs the right to update tickets (light agents only write notes).
  canSetStatus: boolean;
  onSend: (status?: TicketStatus) => void;
}

// "Send" plus a menu to send and set the status in the same request (send as Pending, Solved...).
export function SendButton({ label, disabled, canSetStatus, onSend }: SendButtonProps) {
  return (
    <div className="send-button">
      <Button type="submit" variant="primary" disabled={disabled}>
        {label}
      </Button>
      {canSetStatus && (
        <DropdownMenu.Root>
          <DropdownMenu.Trigger
            className="btn btn-primary send-menu-trigger"
            disabled={disabled}
            aria-label="Send and set status"
          >
            ▾
          </DropdownMenu.Trigger>
          <DropdownMenu.Portal>
            <DropdownMenu.Content className="menu" align="end" sideOffset={4}>
              {AFTER_SEND.map((status) => (
                <DropdownMenu.Item key={status} className="menu-item" onSelect={() => onSend(status)}>
                  Send as {humanize(status)}
                </DropdownMenu.Item>
              ))}
            </DropdownMenu.Content>
          </DropdownMenu.Portal>
        </DropdownMenu.Root>
      )}
    </div>
  );
}
