import { type Kysely, sql } from "kysely";
import type { Db } from "../server/db/connection.ts";
import {
  CHANNELS,
  FIRST_NAMES,
  GROUP_NAMES,
  LAST_NAMES,
  SUBJECT_CONTEXTS,
  SUBJECT_OBJECTS,
  SUBJECT_PROBLEMS,
  TAGS,
  VOCABULARY,
} from "./words.ts";

// Bulk data for benchmarks, written with set-based SQL (INSERT ... SELECT generate_series) in
// batches. It bypasses the API on purpose: a million tickets through HTTP would take longer than
// the benchmark itself. The rows are the ones the app would write: composite keys, a ticket
// number sequence advanced past the seeded numbers, millisecond timestamps (cursors carry them
// exactly), generated search vectors, and a ticket.created / message.created event per row.
//
// Seeding drops the secondary indexes of tickets, messages and ticket_events and rebuilds them
// at the end (a bulk index build is several times faster than maintaining GIN indexes row by
// row), so it is only for a database of its own, never one that serves traffic.

export interface SeedOptions {
  tickets: number;
  batchSize?: number;
  now?: Date;
  log?: (line: string) => void;
}

export interface SeedResult {
  workspaceId: number;
  groupIds: number[];
  agentIds: number[];
  tickets: number;
  messages: number;
  contacts: number;
  seconds: number;
}

const AGENTS_PER_GROUP = 5;
const BULK_TABLES = ["tickets", "messages", "ticket_events"];

export async function seedWorkspace(db: Db, workspaceId: number, options: SeedOptions): Promise<SeedResult> {
  const started = performance.now();
  const log = options.log ?? (() => {});
  const now = options.now ?? new Date();
  const batchSize = options.batchSize ?? 50_000;
  return db.connection().execute(async (conn) => {
    await sql`set maintenance_work_mem = '512MB'`.execute(conn).catch(() => {});
    const groupIds = await seedGroups(conn, workspaceId);
    const agentIds = await seedAgents(conn, workspaceId, groupIds);
    const orgIds = await seedOrganizations(conn, workspaceId, Math.max(20, Math.ceil(options.tickets / 500)));
    const contacts = Math.max(200, Math.ceil(options.tickets / 10));
    await seedContacts(conn, workspaceId, contacts, orgIds, now);
    log(
      `people: ${groupIds.length} groups, ${agentIds.length} agents, ${orgIds.length} orgs, ${contacts} contacts`,
    );

    const indexes = await dropSecondaryIndexes(conn);
    try {
      const base = await maxTicketNumber(conn, workspaceId);
      for (let done = 0; done < options.tickets; done += batchSize) {
        const size = Math.min(batchSize, options.tickets - done);
        const range = { workspaceId, from: base + done + 1, to: base + done + size };
        await insertTicketBatch(conn, { ...range, now, groupIds, agentIds, contacts });
        await insertThreads(conn, range);
        log(
          `tickets: ${done + size}/${options.tickets} (${((performance.now() - started) / 1000).toFixed(0)} s)`,
        );
      }
      await sql`select setval(${`ticket_numbers_${workspaceId}`}::regclass, ${base + options.tickets})`.execute(
        conn,
      );
    } finally {
      for (const index of indexes) {
        const t0 = performance.now();
        await sql.raw(index.indexdef).execute(conn);
        log(`index ${index.indexname}: ${((performance.now() - t0) / 1000).toFixed(1)} s`);
      }
    }
    await sql`drop table if exists bench_contacts`.execute(conn);
    const messages = await sql<{ n: number }>`
      select count(*)::int as n from messages where workspace_id = ${workspaceId}`.execute(conn);
    return {
      workspaceId,
      groupIds,
      agentIds,
      tickets: options.tickets,
      messages: messages.rows[0].n,
      contacts,
      seconds: (performance.now() - started) / 1000,
    };
  });
}

// The server here runs with autovacuum off, and even with it on a fresh bulk load has no
// statistics until the next autovacuum round: plan with real numbers, and set the visibility
// map so index-only scans work.
export async function vacuumAnalyze(db: Db, log: (line: string) => void = () => {}) {
  const t0 = performance.now();
  await sql`vacuum (analyze)`.execute(db);
  log(`vacuum (analyze): ${((performance.now() - t0) / 1000).toFixed(1)} s`);
}

async function seedGroups(conn: Kysely<any>, ws: number) {
  const { rows } = await sql<{ id: number }>`
    insert into groups (workspace_id, name, description)
    select ${ws}::bigint, name, 'Seeded for benchmarks' from unnest(${GROUP_NAMES}::text[]) as name
    returning id`.execute(conn);
  return rows.map((r) => Number(r.id)).sort((a, b) => a - b);
}

// Agent i works in group i mod G (every fifth also in the next group), so a ticket's assignee
// can be drawn from its group's members with arithmetic alone.
async function seedAgents(conn: Kysely<any>, ws: number, groupIds: number[]) {
  const count = groupIds.length * AGENTS_PER_GROUP;
  const { rows } = await sql<{ id: number }>`
    insert into users (workspace_id, name, email, role, ticket_access, availability)
    select ${ws}::bigint, (${FIRST_NAMES}::text[])[1 + g % ${FIRST_NAMES.length}] || ' '
        || (${LAST_NAMES}::text[])[1 + (g / ${FIRST_NAMES.length}) % ${LAST_NAMES.length}],
      'agent' || g || '@bench.parley.test', 'agent', 'all', 'online'
    from generate_series(0, ${count - 1}) as g
    order by g
    returning id`.execute(conn);
  const agentIds = rows.map((r) => Number(r.id)).sort((a, b) => a - b);
  await sql`
    insert into group_members (workspace_id, group_id, user_id)
    select ${ws}::bigint, (${groupIds}::bigint[])[1 + (i - 1) % ${groupIds.length}], a
    from unnest(${agentIds}::bigint[]) with ordinality as x(a, i)
    union
    select ${ws}::bigint, (${groupIds}::bigint[])[1 + i % ${groupIds.length}], a
    from unnest(${agentIds}::bigint[]) with ordinality as x(a, i) where i % 5 = 0`.execute(conn);
  return agentIds;
}

async function seedOrganizations(conn: Kysely<any>, ws: number, count: number) {
  const { rows } = await sql<{ id: number }>`
    insert into organizations (workspace_id, name, domains)
    select ${ws}::bigint, (${LAST_NAMES}::text[])[1 + g % ${LAST_NAMES.length}] || ' Holdings ' || g,
      array['org' || g || '.example']
    from generate_series(1, ${count}) as g
    returning id`.execute(conn);
  return rows.map((r) => Number(r.id));
}

// Three in five contacts belong to an organization; each has one email identity.
async function seedContacts(conn: Kysely<any>, ws: number, count: number, orgIds: number[], now: Date) {
  await sql`
    insert into contacts (workspace_id, name, organization_id, created_at, updated_at)
    select ${ws}::bigint, (${FIRST_NAMES}::text[])[1 + g % ${FIRST_NAMES.length}] || ' '
        || (${LAST_NAMES}::text[])[1 + (g * 7) % ${LAST_NAMES.length}],
      case when g % 5 < 3 then (${orgIds}::bigint[])[1 + g % ${orgIds.length}] end,
      date_trunc('milliseconds', ${now}::timestamptz - interval '400 days'),
      date_trunc('milliseconds', ${now}::timestamptz - interval '400 days')
    from generate_series(1, ${count}) as g`.execute(conn);
  await sql`
    insert into contact_identities (workspace_id, contact_id, kind, value)
    select c.workspace_id, c.id, 'email', 'customer' || c.id || '@' || coalesce(o.domains[1], 'mail.example')
    from contacts c
    left join organizations o on o.workspace_id = c.workspace_id and o.id = c.organization_id
    where c.workspace_id = ${ws}
      and not exists (select 1 from contact_identities i where i.workspace_id = c.workspace_id and i.contact_id = c.id)`.execute(
    conn,
  );
  // Tickets pick their requester by position, 1..n, without a join on random ids.
  await sql`drop table if exists bench_contacts`.execute(conn);
  await sql`
    create temp table bench_contacts as
    select row_number() over (order by id)::int as rn, id, organization_id
    from contacts where workspace_id = ${ws}`.execute(conn);
  await sql`create index on bench_contacts (rn)`.execute(conn);
  await sql`analyze bench_contacts`.execute(conn);
}

async function dropSecondaryIndexes(conn: Kysely<any>) {
  const { rows } = await sql<{ indexname: string; indexdef: string }>`
    select i.indexname, i.indexdef from pg_indexes i
    where i.schemaname = current_schema() and i.tablename in (${sql.join(BULK_TABLES)})
      and not exists (select 1 from pg_constraint c where c.conname = i.indexname)`.execute(conn);
  for (const row of rows) await sql`drop index ${sql.id(row.indexname)}`.execute(conn);
  return rows;
}

async function maxTicketNumber(conn: Kysely<any>, ws: number) {
  const { rows } = await sql<{ n: number }>`
    select coalesce(max(number), 0)::bigint as n from tickets where workspace_id = ${ws}`.execute(conn);
  return Number(rows[0].n);
}

// How many messages a ticket has: a function of its number, so threads and the ticket's
// first_responded_at agree without passing state between statements.
const messageCount = (t: string) =>
  sql.raw(`(case when ${t}.status = 'new' then 1 else 1 + (${t}.number * 7919) % 4 end)`);

// Ticket ages spread uniformly over a year. Recent tickets are mostly unresolved and old ones
// mostly closed, so "open and new" is a few percent of the table, as in a real desk.
async function insertTicketBatch(
  conn: Kysely<any>,
  b: {
    workspaceId: number;
    from: number;
    to: number;
    now: Date;
    groupIds: number[];
    agentIds: number[];
    contacts: number;
  },
) {
  const { groupIds, agentIds } = b;
  const g = groupIds.length;
  await sql`
    with r as materialized (
      select n as number, random() as r_age, random() as r_status, random() as r_group,
        random() as r_agent, random() as r_tag, random() as r_prio, random() as r_type, random() as r_chan,
        random() as r_resolve, random() as r_s1, random() as r_s2, random() as r_s3,
        1 + floor(random() * ${b.contacts})::int as crn
      from generate_series(${b.from}::bigint, ${b.to}::bigint) as n
    ), s as materialized (
      select r.*, r_age * 365 as age_days,
        date_trunc('milliseconds', ${b.now}::timestamptz - r_age * interval '365 days') as created_at,
        case when r_group < 0.95 then floor(r_group / 0.95 * ${g})::int end as gi,
        case
          when r_age * 365 < 3 then case when r_status < .3 then 'new' when r_status < .8 then 'open'
            when r_status < .95 then 'pending' else 'on_hold' end
          when r_age * 365 < 30 then case when r_status < .15 then 'open' when r_status < .25 then 'pending'
            when r_status < .3 then 'on_hold' when r_status < .8 then 'solved' else 'closed' end
          else case when r_status < .01 then 'open' when r_status < .02 then 'pending'
            when r_status < .1 then 'solved' else 'closed' end
        end as status
      from r
    ), u as materialized (
      select s.*,
        case when status in ('solved', 'closed')
          then date_trunc('milliseconds', least(${b.now}::timestamptz, created_at + r_resolve * interval '5 days'))
          else date_trunc('milliseconds', created_at + r_resolve * (${b.now}::timestamptz - created_at))
        end as updated_at,
        case when status = 'new' then null
          when gi is null then (${agentIds}::bigint[])[1 + floor(r_agent * ${agentIds.length})::int]
          else (${agentIds}::bigint[])[1 + gi + ${g} * floor(r_agent * ${AGENTS_PER_GROUP})::int]
        end as assignee_id
      from s
    )
    insert into tickets (workspace_id, number, subject, status, priority, type, requester_id, organization_id,
      assignee_id, group_id, channel, tags, version, created_at, updated_at, first_responded_at, solved_at, closed_at)
    select ${b.workspaceId}::bigint, u.number,
      initcap(left(subj, 1)) || substr(subj, 2),
      u.status,
      case when r_prio < .15 then 'low' when r_prio < .75 then 'normal' when r_prio < .95 then 'high' else 'urgent' end,
      case when r_type < .5 then 'question' when r_type < .7 then 'incident' when r_type < .75 then 'problem'
        when r_type < .85 then 'task' else 'feature_request' end,
      c.id, c.organization_id, u.assignee_id,
      (${groupIds}::bigint[])[1 + u.gi],
      (${CHANNELS}::text[])[1 + floor(r_chan * ${CHANNELS.length})::int],
      case when r_tag < .5 then '{}'::text[]
        when r_tag < .8 then array[(${TAGS}::text[])[1 + floor(r_tag * 997)::int % ${TAGS.length}]]
        else array[least(t1, t2), greatest(t1, t2)] end,
      case u.status when 'new' then 1 when 'solved' then 3 when 'closed' then 4 else 2 end,
      u.created_at, u.updated_at,
      case when ${messageCount("u")} > 1
        then date_trunc('milliseconds', u.created_at + (u.updated_at - u.created_at) / ${messageCount("u")}) end,
      case when u.status in ('solved', 'closed') then u.updated_at end,
      case when u.status = 'closed' then u.updated_at end
    from u
    join bench_contacts c on c.rn = u.crn
    cross join lateral (select
      (${SUBJECT_OBJECTS}::text[])[1 + floor(r_s1 * ${SUBJECT_OBJECTS.length})::int] || ' '
        || (${SUBJECT_PROBLEMS}::text[])[1 + floor(r_s2 * ${SUBJECT_PROBLEMS.length})::int]
        || case when r_s3 < .4 then ' ' || (${SUBJECT_CONTEXTS}::text[])[1 + floor(r_s3 / .4 * ${SUBJECT_CONTEXTS.length})::int]
          else '' end as subj,
      (${TAGS}::text[])[1 + floor(r_tag * 997)::int % ${TAGS.length}] as t1,
      (${TAGS}::text[])[1 + (floor(r_tag * 997)::int + 1 + floor(r_tag * 7919)::int % ${TAGS.length - 1}) % ${TAGS.length}] as t2
    ) as x`.execute(conn);
}

// The thread of each ticket in the batch, and the events a real thread leaves: the first
// message is the customer's, then agent and customer take turns (every tenth ticket's agent
// turns are internal notes); solved and closed tickets carry their status change.
async function insertThreads(conn: Kysely<any>, b: { workspaceId: number; from: number; to: number }) {
  const v = VOCABULARY.length;
  await sql`
    with t as (
      select * from tickets where workspace_id = ${b.workspaceId} and number between ${b.from} and ${b.to}
    ), m as (
      insert into messages (workspace_id, ticket_id, kind, direction, author_type, author_contact_id,
        author_user_id, body_text, channel, created_at)
      select t.workspace_id, t.id,
        case when i % 2 = 0 and t.number % 10 = 0 then 'note' else 'reply' end,
        case when i % 2 = 1 then 'in' when t.number % 10 = 0 then null else 'out' end,
        case when i % 2 = 1 then 'contact' else 'user' end,
        case when i % 2 = 1 then t.requester_id end,
        case when i % 2 = 0 then t.assignee_id end,
        case when i = 1 then t.subject || '. ' else '' end
          || case when i % 2 = 1 then 'Hi, ' else 'Thanks for reaching out. ' end
          || array_to_string(array(
            select (${VOCABULARY}::text[])[1 + floor(power(random(), 2.5) * ${v})::int]
            from generate_series(1, 12 + (t.id + i) % 29)
          ), ' '),
        case when i % 2 = 1 then t.channel else 'web' end,
        date_trunc('milliseconds', t.created_at + (t.updated_at - t.created_at) * ((i - 1)::float8 / ${messageCount("t")}))
      from t cross join lateral generate_series(1, ${messageCount("t")}) as i
      returning ticket_id, id, kind, direction, author_type, author_contact_id, author_user_id, created_at
    )
    insert into ticket_events (workspace_id, ticket_id, type, actor_type, actor_id, changes, created_at)
    select t.workspace_id, t.id, 'ticket.created', 'contact', t.requester_id,
      jsonb_build_object('status', 'new', 'priority', t.priority, 'assigneeId', null, 'groupId', t.group_id),
      t.created_at
    from t
    union all
    select ${b.workspaceId}::bigint, m.ticket_id, 'message.created', m.author_type,
      coalesce(m.author_user_id, m.author_contact_id),
      jsonb_build_object('messageId', m.id, 'kind', m.kind, 'direction', m.direction), m.created_at
    from m
    union all
    select t.workspace_id, t.id, 'ticket.updated', 'user', t.assignee_id,
      jsonb_build_object('status', jsonb_build_object('from', 'open', 'to', t.status)), t.updated_at
    from t where t.status in ('solved', 'closed')`.execute(conn);
}
