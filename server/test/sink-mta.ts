import type { AddressInfo } from "node:net";
import { SMTPServer } from "smtp-server";

// The test sink MTA: a real SMTP server (smtp-server) on loopback that plays the receiving mail
// server for outbound tests. It records every DATA it is offered, and answers each with the next
// code from `dataReplies` (then 250); recipients listed in `refuse` get that code at RCPT TO.

export interface SinkDelivery {
  raw: Buffer;
  mailFrom: string;
  rcptTo: string[];
  // The code the sink answered: 250 when it took the message.
  answered: number;
}

export interface SinkMta {
  port: number;
  // Every DATA offered, taken or not, oldest first.
  offered: SinkDelivery[];
  // Only the ones answered 250.
  accepted(): SinkDelivery[];
  close(): Promise<void>;
}

export interface SinkOptions {
  dataReplies?: number[];
  refuse?: Record<string, number>;
}

const smtpError = (code: number, text: string) => Object.assign(new Error(text), { responseCode: code });

export async function startSinkMta(options: SinkOptions = {}): Promise<SinkMta> {
  const replies = [...(options.dataReplies ?? [])];
  const offered: SinkDelivery[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS", "AUTH"],
    logger: false,
    // No reverse DNS of the loopback client: it can stall on a machine without a resolver.
    disableReverseLookup: true,
    onRcptTo(address, _session, callback) {
      const code = options.refuse?.[address.address.toLowerCase()];
      if (code) return callback(smtpError(code, `${code === 550 ? "no such user" : "not now"} here`));
      callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (chunk: Buffer) => chunks.push(chunk));
      stream.on("end", () => {
        const answered = replies.shift() ?? 250;
        offered.push({
          raw: Buffer.concat(chunks),
          mailFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : "",
          rcptTo: session.envelope.rcptTo.map((r) => r.address),
          answered,
        });
        if (answered === 250) return callback();
        callback(smtpError(answered, answered >= 500 ? "message refused" : "try again later"));
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const port = (server.server.address() as AddressInfo).port;
  return {
    port,
    offered,
    accepted: () => offered.filter((d) => d.answered === 250),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
