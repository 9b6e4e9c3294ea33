import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { SecretBox } from "../auth/secret-box.ts";
import { openDatabase } from "../db/connection.ts";
import { migrateToLatest } from "../db/migrate.ts";
import { LocalFileStore } from "../files/store.ts";
import { createWorkspace } from "../workspaces/service.ts";
import { acceptInboundEmail, dedupeKeyFor } from "./accept.ts";
import { MailboxDirectory } from "./mailbox-directory.ts";
import { createMailbox } from "./mailboxes.ts";
import { processInboundEmail } from "./process.ts";

export interface RedeliveryResult {
  cases: number;
  passed: number;
  report: string[];
}

// "Redeliver every corpus mail twice: no duplicates." Each mail is accepted and processed, then
// accepted and processed again, as a retrying sender or a re-polled IMAP folder would do. One
// stored row per distinct mail, one message per processed row, and no mail that fails to process.
export async function redeliverTwice(corpusRoot: string, files: string[]): Promise<RedeliveryResult> {
  const database = await openDatabase({ databaseUrl: null, dataDir: null });
  const storeDir = mkdtempSync(path.join(tmpdir(), "parley-corpus-"));
  const report: string[] = [];
  let passed = 0;
  try {
    await migrateToLatest(database.db);
    const db = database.db;
    const ws = await createWorkspace(db, "corpus redelivery");
    // The box only seals IMAP/SMTP secrets, and this mailbox has none.
    const mailbox = await createMailbox(db, new SecretBox(randomBytes(32)), ws.id, {
      name: "Corpus",
      address: "corpus@parley.test",
      inbound: "upload",
    });
    const deps = { fileStore: new LocalFileStore(storeDir), mailboxes: new MailboxDirectory(db) };
    const keys = new Set<string>();
    // Mail with no usable sender address fails by design (docs/email.md, Processing): its row
    // stays failed with the reason, and a redelivery must find the same row.
    const noSender = new Set<number>();
    const processOrFail = async (id: number) => {
      const outcome = await processInboundEmail(db, deps, ws.id, id);
      if (outcome.status === "failed") noSender.add(id);
      return outcome;
    };
    for (const file of files) {
      const raw = readFileSync(file);
      const name = path.relative(corpusRoot, file);
      keys.add(dedupeKeyFor(raw).key);
      const input = { workspaceId: ws.id, mailboxId: mailbox.id, source: "upload" as const, raw };
      try {
        const first = await acceptInboundEmail(db, input);
        const outcome = await processOrFail(first.id);
        const again = await acceptInboundEmail(db, input);
        const outcomeAgain = await processOrFail(again.id);
        const problems: string[] = [];
        if (!again.duplicate || again.id !== first.id) problems.push("second delivery stored a second row");
        if (
          outcomeAgain.status === "processed" &&
          (outcome.status !== "processed" || outcome.messageId !== outcomeAgain.messageId)
        ) {
          problems.push("second processing made a new message");
        }
        if (problems.length) report.push(`FAIL   redelivery ${name}: ${problems.join("; ")}`);
        else passed++;
      } catch (err) {
        report.push(`FAIL   redelivery ${name}: ${(err as Error).message}`);
      }
    }
    const rows = await db
      .selectFrom("inbound_emails")
      .select(["id", "status", "message_id", "reason"])
      .where("workspace_id", "=", ws.id)
      .execute();
    const messages = await db
      .selectFrom("messages")
      .select(db.fn.countAll<number>().as("n"))
      .where("workspace_id", "=", ws.id)
      .where("channel", "=", "email")
      .executeTakeFirstOrThrow();
    const processed = rows.filter((r) => r.status === "processed");
    const settled = (r: (typeof rows)[number]) =>
      r.status === "processed" || r.status === "ignored" || (r.status === "failed" && noSender.has(r.id));
    const distinctMessages = new Set(processed.map((r) => r.message_id)).size;
    const totals = [
      { what: `stored rows (${rows.length}) = distinct mails (${keys.size})`, ok: rows.length === keys.size },
      {
        what: `email messages (${Number(messages.n)}) = processed rows (${processed.length})`,
        ok: Number(messages.n) === processed.length && distinctMessages === processed.length,
      },
      {
        what: `no row left failed or pending but mail without a sender (${rows.filter((r) => !settled(r)).length})`,
        ok: rows.every(settled),
      },
    ];
    for (const t of totals) {
      if (t.ok) passed++;
      else report.push(`FAIL   redelivery totals: ${t.what}`);
    }
    report.push(
      `redelivery: ${files.length} files, ${keys.size} distinct mails, ${processed.length} processed, ${rows.length - processed.length - noSender.size} ignored, ${noSender.size} failed for want of a sender address`,
    );
    return { cases: files.length + totals.length, passed, report };
  } finally {
    await database.close();
    rmSync(storeDir, { recursive: true, force: true });
  }
}
