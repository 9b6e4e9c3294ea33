// The composer's rich-text editor (Tiptap). Loaded lazily in a chunk of its own: the inbox never
// pays for ProseMirror.
import { Extension } from "@tiptap/core";
import Mention from "@tiptap/extension-mention";
import { EditorContent, useEditor } from "@tiptap/react";
import StarterKit from "@tiptap/starter-kit";
import type { SuggestionKeyDownProps, SuggestionProps } from "@tiptap/suggestion";
import { type Ref, useImperativeHandle, useRef, useState, useSyncExternalStore } from "react";

export interface MentionCandidate {
  id: number;
  name: string;
}

export interface RichEditorHandle {
  focus(): void;
  clear(): void;
  // Plain text with line breaks, as a canned response holds it.
  insertText(text: string): void;
  content(): { text: string; html: string };
}

export interface RichEditorProps {
  label: string;
  placeholder: string;
  mentions: boolean;
  candidates: MentionCandidate[];
  // What the agent had written here before (a draft kept while they looked at other tickets).
  initialHtml?: string;
  onChange: (change: { empty: boolean; html: string }) => void;
  // Files pasted into the editor (a screenshot from the clipboard) become attachments.
  onFiles: (files: File[]) => void;
  editorRef: Ref<RichEditorHandle>;
}

// $mod+Enter sends (a page shortcut); without this the starter kit would also insert a line break.
const SendKey = Extension.create({
  name: "sendKey",
  priority: 1000,
  addKeyboardShortcuts: () => ({ "Mod-Enter": () => true }),
});

const escapeHtml = (text: string) =>
  text.replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c] ?? c);

// Blank lines separate paragraphs; single line breaks stay line breaks.
export function textToHtml(text: string): string {
  return text
    .split(/\n{2,}/)
    .map((paragraph) => `<p>${escapeHtml(paragraph).replace(/\n/g, "<br>")}</p>`)
    .join("");
}

// The open @-suggestion, shared between Tiptap's callbacks and the list React renders.
class SuggestionStore {
  props: SuggestionProps<MentionCandidate> | null = null;
  index = 0;
  private listeners = new Set<() => void>();
  private version = 0;
  subscribe = (listener: () => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };
  snapshot = () => this.version;
  set(props: SuggestionProps<MentionCandidate> | null) {
    if (props?.query !== this.props?.query) this.index = 0;
    this.props = props;
    this.changed();
  }
  pick(index: number) {
    const item = this.props?.items[index];
    if (item) this.props?.command({ id: String(item.id), label: item.name });
  }
  keyDown({ event }: SuggestionKeyDownProps): boolean {
    const count = this.props?.items.length ?? 0;
    if (count === 0) return false;
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      this.index = (this.index + (event.key === "ArrowDown" ? 1 : count - 1)) % count;
      this.changed();
      return true;
    }
    if (event.key === "Enter" || event.key === "Tab") {
      this.pick(this.index);
      return true;
    }
    return false;
  }
  private changed() {
    this.version++;
    for (const listener of this.listeners) listener();
  }
}

export default function RichEditor(props: RichEditorProps) {
  const latest = useRef(props);
  latest.current = props;
  const [store] = useState(() => new SuggestionStore());
  const [empty, setEmpty] = useState(!props.initialHtml);
  const editor = useEditor({
    content: props.initialHtml ?? "",
    immediatelyRender: true,
    extensions: [
      StarterKit.configure({ heading: { levels: [3, 4] }, link: { openOnClick: false } }),
      SendKey,
      Mention.configure({
        HTMLAttributes: { class: "mention" },
        suggestion: {
          char: "@",
          allow: () => latest.current.mentions,
          items: ({ query }) =>
            latest.current.candidates
              .filter((c) => c.name.toLowerCase().includes(query.toLowerCase()))
              .slice(0, 8),
          render: () => ({
            onStart: (p) => store.set(p),
            onUpdate: (p) => store.set(p),
            onKeyDown: (p) => store.keyDown(p),
            onExit: () => store.set(null),
          }),
        },
      }),
    ],
    editorProps: {
      handlePaste: (_view, event) => {
        const files = Array.from(event.clipboardData?.files ?? []);
        if (files.length === 0) return false;
        latest.current.onFiles(files);
        return true;
      },
      attributes: {
        role: "textbox",
        "aria-multiline": "true",
        "aria-label": props.label,
        class: "editor-content",
      },
    },
    onUpdate: ({ editor }) => {
      setEmpty(editor.isEmpty);
      latest.current.onChange({ empty: editor.isEmpty, html: editor.getHTML() });
    },
  });

  // The label follows the reply/note switch without rebuilding the editor.
  editor.view.dom.setAttribute("aria-label", props.label);

  useImperativeHandle(
    props.editorRef,
    () => ({
      focus: () => editor.commands.focus("end"),
      clear: () => {
        editor.commands.clearContent(true);
      },
      insertText: (text) => {
        editor.chain().focus().insertContent(textToHtml(text)).run();
      },
      content: () => ({ text: editor.getText({ blockSeparator: "\n\n" }).trim(), html: editor.getHTML() }),
    }),
    [editor],
  );

  return (
    <div className={`rich-editor${empty ? " is-empty" : ""}`}>
      {empty && (
        <div className="editor-placeholder" aria-hidden="true">
          {props.placeholder}
        </div>
      )}
      <EditorContent editor={editor} />
      <MentionList store={store} />
    </div>
  );
}

function MentionList({ store }: { store: SuggestionStore }) {
  useSyncExternalStore(store.subscribe, store.snapshot);
  const props = store.props;
  if (!props) return null;
  const rect = props.clientRect?.();
  const style = rect ? { top: rect.bottom + 4, left: rect.left } : undefined;
  if (props.items.length === 0) {
    return (
      <div className="mention-list" style={style} role="status">
        No agent matches “{props.query}”
      </div>
    );
  }
  return (
    <div className="mention-list" style={style} role="listbox" aria-label="Mention an agent">
      {props.items.map((item, index) => (
        <div
          key={item.id}
          role="option"
          tabIndex={-1}
          aria-selected={index === store.index}
          className={index === store.index ? "is-active" : undefined}
          // Keeps the editor's focus (and its selection) while choosing with the mouse.
          onMouseDown={(event) => {
            event.preventDefault();
            store.pick(index);
          }}
        >
          {item.name}
        </div>
      ))}
    </div>
  );
}
