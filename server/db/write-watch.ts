import type {
  KyselyPlugin,
  OperationNode,
  PluginTransformQueryArgs,
  PluginTransformResultArgs,
  QueryResult,
  RootOperationNode,
  UnknownRow,
} from "kysely";

// Tells in-process caches that a table they copy from is being written, whoever writes it: a
// cache of users or tokens then needs no call in every service that changes them. It sees the
// query builder's inserts, updates and deletes (not raw `sql` text, nor writes in a CTE), and it
// fires before and again after the statement runs, both before commit: a reader that slips in
// before the commit may cache the old row again, so a cache still needs a short lifetime.
export type WriteKind = "insert" | "update" | "delete";
type Listener = (table: string, kind: WriteKind) => void;

const listeners = new Map<string, Listener[]>();

export function onTableWrite(tables: string[], listener: Listener) {
  for (const table of tables) listeners.set(table, [...(listeners.get(table) ?? []), listener]);
}

function tableName(node: OperationNode | undefined): string | null {
  if (!node) return null;
  if (node.kind === "TableNode") {
    return (node as unknown as { table: { identifier: { name: string } } }).table.identifier.name;
  }
  if (node.kind === "AliasNode") return tableName((node as unknown as { node: OperationNode }).node);
  return null;
}

const KINDS: Record<string, WriteKind> = {
  InsertQueryNode: "insert",
  UpdateQueryNode: "update",
  DeleteQueryNode: "delete",
};

function writtenTables(node: RootOperationNode): string[] {
  if (node.kind === "InsertQueryNode") return [tableName(node.into)].filter((t) => t !== null);
  if (node.kind === "UpdateQueryNode") return [tableName(node.table)].filter((t) => t !== null);
  if (node.kind === "DeleteQueryNode") return node.from.froms.map(tableName).filter((t) => t !== null);
  return [];
}

export class WriteWatchPlugin implements KyselyPlugin {
  readonly #pending = new WeakMap<object, { tables: string[]; kind: WriteKind }>();

  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    const kind = KINDS[args.node.kind];
    if (!kind) return args.node;
    const tables = writtenTables(args.node).filter((t) => listeners.has(t));
    if (tables.length) {
      notify(tables, kind);
      this.#pending.set(args.queryId, { tables, kind });
    }
    return args.node;
  }

  async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    const pending = this.#pending.get(args.queryId);
    if (pending) notify(pending.tables, pending.kind);
    return args.result;
  }
}

function notify(tables: string[], kind: WriteKind) {
  for (const table of tables) for (const listener of listeners.get(table) ?? []) listener(table, kind);
}
