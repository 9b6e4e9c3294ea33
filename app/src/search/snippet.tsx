const ENTITIES: Record<string, string> = {
  "&amp;": "&",
  "&lt;": "<",
  "&gt;": ">",
  "&quot;": '"',
  "&#39;": "'",
};
const decode = (text: string) => text.replace(/&(amp|lt|gt|quot|#39);/g, (entity) => ENTITIES[entity]);

// The server escapes a snippet and marks the matched words with <mark>. It is rebuilt here as
// text and <mark> elements instead of being inserted as HTML: nothing else in it can ever render.
export function Snippet({ html }: { html: string }) {
  const parts = html.split(/(<mark>.*?<\/mark>)/g);
  return (
    <span className="snippet">
      {parts.map((part, index) => {
        const marked = /^<mark>(.*)<\/mark>$/.exec(part);
        // biome-ignore lint/suspicious/noArrayIndexKey: the parts of one snippet never reorder.
        return marked ? <mark key={index}>{decode(marked[1])}</mark> : decode(part);
      })}
    </span>
  );
}
