import PostalMime from "postal-mime";

// RFC 3676 format=flowed: a line ending in a space continues on the next line, but only on a
// line of the same quote depth. postal-mime joins across depths, so "> Hi \nHello" (a bottom-
// posted reply) came out as one quoted line and the customer's answer was folded into the
// quote. Depth is counted, stuffing removed, and quoted lines are written back with "> ".
export function decodeFlowed(text: string, delSp: boolean): string {
  const out: { depth: number; text: string; open: boolean }[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const depth = /^>*/.exec(raw)?.[0].length ?? 0;
    let line = raw.slice(depth);
    if (line.startsWith(" ")) line = line.slice(1);
    const flowed = line.endsWith(" ") && line !== "-- ";
    const last = out[out.length - 1];
    if (last?.open && last.depth === depth) {
      last.text += line;
    } else {
      out.push({ depth, text: line, open: false });
    }
    const current = out[out.length - 1];
    current.open = flowed;
    if (flowed && delSp) current.text = current.text.slice(0, -1);
  }
  return out
    .map((l) => (l.depth ? `${">".repeat(l.depth)}${l.text ? ` ${l.text}` : ""}` : l.text))
    .join("\n");
}

// postal-mime builds its part nodes from one class it does not export; its decoder is swapped
// on that class's prototype, reached through a parser's root node. Done once, at import.
function installFlowedDecoder() {
  const root = (new PostalMime() as unknown as { root?: object }).root;
  const proto = root ? (Object.getPrototypeOf(root) as { decodeFlowedText?: unknown }) : null;
  if (!proto || typeof proto.decodeFlowedText !== "function") {
    throw new Error("postal-mime no longer decodes format=flowed where Parley expects it");
  }
  proto.decodeFlowedText = decodeFlowed;
}

installFlowedDecoder();
