import { analyse } from "chardet";
import iconv from "iconv-lite";

// Text in a charset nobody named, or named wrongly: raw 8-bit header bytes (no encoded word), a
// body without a charset, an encoded word whose label TextDecoder does not know. A detector alone
// is unreliable on a ten-byte subject (chardet calls Shift_JIS "請求書について" KOI8-R), so every
// candidate is decoded and the result that reads most like text wins: no replacement characters
// or control codes, letters of one script, common rather than rare characters.

// Tried after the charsets the mail itself names and the detector's guesses, in this order: the
// legacy charsets that real mail still arrives in.
const FALLBACKS = [
  "gb18030",
  "shift_jis",
  "euc-jp",
  "big5",
  "euc-kr",
  "windows-1251",
  "koi8-r",
  "iso-8859-7",
  "windows-1252",
  "windows-1250",
  "iso-8859-2",
];
const JAPANESE = new Set(["shift_jis", "euc-jp", "iso-2022-jp"]);
// chardet gives every double-byte charset 10 when it has nothing to go on.
const MEANINGFUL_CONFIDENCE = 10;

// The lead bytes of each double-byte charset's frequent characters (GB2312 level 1, Big5 level 1,
// JIS X 0208 level 1): Chinese read as Japanese, or the other way round, decodes cleanly too, but
// into rare characters.
const COMMON_HAN_LEAD: Record<string, [number, number]> = {
  gb18030: [0xb0, 0xd7],
  big5: [0xa4, 0xc6],
  shift_jis: [0x88, 0x98],
  "euc-jp": [0xb0, 0xcf],
};

// Frequent characters of Chinese (simplified and traditional) and Japanese text, mail's own words
// among them: a right reading of a short name or subject hits some, a wrong one rarely does.
const FREQUENT_HAN = new Set(
  [
    "的一是不了人我在有他这中大来上国个到说们为子和你地出道也时年得就那要下以生会自着去之过家学对可",
    "她里后小么心多天而能好都然没日于起还发成事只作当想看文无开手十用主行方又如前所本见经头面公同三已",
    "老从动两长知民样现分将外但身些与高意进把法此实回二理美点月明其种声全工己话儿者向情部正名定女问力",
    "機問題們這個來說時為對會後過國學發還開關東電話無與書見間點聽長門車實現動將與經頭種聲兒",
    "訂單報價單發票付款請謝客戶服務附件查收合同價格報告議會議資料確認變更問合帳號郵件號碼數據",
    "订单报价发票请谢户务议资确认变帐号邮码数据",
    "見積書請求御礼申込案内連絡先株式会社様田中山本太郎花子佐藤鈴木高橋渡辺伊藤小林加藤吉田山口",
    "王李张張刘劉陈陳杨楊黄黃赵趙吴吳周徐孙孫马馬朱胡郭何林罗羅梁宋郑鄭谢唐韩韓曹许許邓鄧冯馮",
    "伟偉明华華建国军軍平文志伟强強小红紅丽麗敏静靜秀英芳娜燕玲桂丹萍",
  ].join(""),
);

const utf8 = new TextDecoder("utf-8", { fatal: true });

export function isUtf8(bytes: Uint8Array): boolean {
  try {
    utf8.decode(bytes);
    return true;
  } catch {
    return false;
  }
}

export function hasHighBytes(bytes: Uint8Array): boolean {
  for (let i = 0; i < bytes.length; i++) if (bytes[i] >= 0x80) return true;
  return false;
}

// UTF-8 with a stray bad byte or two (a line cut mid-character) is UTF-8, not a legacy charset:
// a legacy text forms a valid multi-byte sequence by chance for about one character in ten.
const lenientUtf8 = new TextDecoder("utf-8");
function mostlyUtf8(bytes: Uint8Array): string | null {
  const text = lenientUtf8.decode(bytes);
  let bad = 0;
  let good = 0;
  for (const ch of text)
    if (ch === "\uFFFD") bad++;
    else if (ch > "\x7f") good++;
  return good >= 1 && good >= bad * 4 ? text : null;
}

// iconv-lite's name for a label, or null when neither it nor the WHATWG list knows the label.
export function knownCharset(label: string | null | undefined): string | null {
  const name = (label ?? "").trim().toLowerCase().replace(/\*.*$/, "");
  if (!name) return null;
  if (iconv.encodingExists(name)) return name;
  try {
    return new TextDecoder(name).encoding;
  } catch {
    return null;
  }
}

// Whether TextDecoder (which postal-mime decodes with) takes the label as written.
export function whatwgCharset(label: string | null | undefined): string | null {
  try {
    return label ? new TextDecoder(label.trim()).encoding : null;
  } catch {
    return null;
  }
}

// TextDecoder for the labels it knows (as postal-mime decodes them), iconv-lite for the rest.
export function decodeAs(bytes: Uint8Array, charset: string): string | null {
  try {
    if (whatwgCharset(charset)) return new TextDecoder(charset).decode(bytes);
    return iconv.decode(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), charset);
  } catch {
    return null;
  }
}

// ISO-2022-JP is 7-bit, so it passes for ASCII (and UTF-8) unless its escapes are looked for.
const ISO_2022_JP_ESCAPE = new RegExp(`${String.fromCharCode(0x1b)}(?:\\$[@B]|\\([BJ])`);
export const hasIso2022JpEscape = (bytes: Uint8Array) =>
  bytes.includes(0x1b) && ISO_2022_JP_ESCAPE.test(Buffer.from(bytes).toString("latin1"));

// Replacement characters, control codes (C0 but tab and line breaks, C1), private-use and
// unassigned code points never appear in text a person wrote.
const UNCLEAN = /[\uFFFD\p{Co}\p{Cn}]|(?![\t\n\r])\p{Cc}/u;
export const decodesCleanly = (text: string) => !UNCLEAN.test(text);

type Script = "latin" | "cyrillic" | "greek" | "cjk" | "hangul" | "other";

function scriptOf(ch: string): Script {
  if (/\p{Script=Han}|\p{Script=Hiragana}|\p{Script=Katakana}/u.test(ch)) return "cjk";
  if (/\p{Script=Hangul}/u.test(ch)) return "hangul";
  if (/\p{Script=Cyrillic}/u.test(ch)) return "cyrillic";
  if (/\p{Script=Greek}/u.test(ch)) return "greek";
  if (/\p{Script=Latin}/u.test(ch)) return "latin";
  return "other";
}

const CYRILLIC_VOWELS = /[аеёиоуыэюяіїє]/iu;
// Punctuation that text in these scripts uses; other symbols (box drawing, ¤, ¸, ÷, ˇ...) are
// what a wrong single-byte table produces.
const USUAL_PUNCTUATION =
  /[\u00A0\u00AB\u00BB\u00B0\u00A9\u00AE\u2010-\u2027\u2030\u20AC\u2116\u3000-\u303F\uFF01-\uFF60\u30FB\u30FC]/u;

const commonHanCache = new Map<string, Map<string, boolean>>();
function commonHan(ch: string, charset: string): boolean {
  const range = COMMON_HAN_LEAD[charset];
  if (!range) return false;
  let known = commonHanCache.get(charset);
  if (!known) {
    known = new Map();
    commonHanCache.set(charset, known);
  }
  let common = known.get(ch);
  if (common === undefined) {
    const lead = iconv.encode(ch, charset)[0];
    common = lead >= range[0] && lead <= range[1];
    // Bounded: the CJK blocks hold some 100,000 characters at most.
    if (known.size < 100_000) known.set(ch, common);
  }
  return common;
}

// How much a decoded string reads like text: each non-ASCII character scores by what it is, and
// by whether it fits the word it stands in.
export function plausibility(text: string, charset: string): number {
  let score = 0;
  for (const word of text.split(/[\s\p{P}\d]+/u)) {
    const chars = [...word];
    const ascii = chars.some((c) => /[A-Za-z]/.test(c));
    const scripts = new Set(chars.filter((c) => c > "\x7f").map(scriptOf));
    const cyrillic = chars.filter((c) => scriptOf(c) === "cyrillic");
    const vowels = cyrillic.filter((c) => CYRILLIC_VOWELS.test(c)).length;
    for (let i = 0; i < chars.length; i++) {
      const ch = chars[i];
      if (ch <= "\x7f") continue;
      const script = scriptOf(ch);
      // A CJK character between two Latin letters is two bytes of a Latin word misread.
      const inLatinWord = /[A-Za-z]/.test(chars[i - 1] ?? "") && /[A-Za-z]/.test(chars[i + 1] ?? "");
      if (/[\uFF61-\uFF9F]/u.test(ch)) score -= 1;
      else if (script === "cjk" && inLatinWord) score -= 2;
      else if (/\p{Script=Han}/u.test(ch))
        score += FREQUENT_HAN.has(ch) ? 3 : commonHan(ch, charset) ? 2 : -1;
      // Kana: Japanese; in a Chinese or Korean reading it is another charset's bytes.
      else if (script === "cjk") score += JAPANESE.has(charset) ? 3 : 1;
      else if (script === "hangul") score += charset === "euc-kr" && !scripts.has("cjk") ? 2 : 0;
      else if (script === "latin") score += ascii && scripts.size === 1 ? 1 : 0;
      else if (script === "cyrillic" || script === "greek") {
        // A Cyrillic letter inside a Latin word, or lower case before upper (KOI8-R read as
        // windows-1251 swaps the cases), or a word with next to no vowels, is a wrong table.
        const prev = chars[i - 1];
        const caseFlip = prev !== undefined && /\p{Ll}/u.test(prev) && /\p{Lu}/u.test(ch);
        const vowelless = script === "cyrillic" && cyrillic.length >= 4 && vowels * 5 < cyrillic.length;
        score += ascii || scripts.size > 1 ? -2 : caseFlip || vowelless ? -1 : 1;
      } else if (!USUAL_PUNCTUATION.test(ch)) score -= 2;
    }
  }
  return score;
}

export interface Decoded {
  text: string;
  charset: string;
}

// The best reading of `bytes`. `hints` are charsets the mail names (a part's label, another part's
// charset): they win over an equal reading. Returns null only when no candidate decodes cleanly.
export function decodeUnlabelled(bytes: Uint8Array, hints: (string | null)[] = []): Decoded | null {
  const sample = sampleOf(bytes);
  if (!hasIso2022JpEscape(sample) && isUtf8(bytes)) return { text: utf8.decode(bytes), charset: "utf-8" };
  const chosen = bestReading(sample, hints);
  if (!chosen || sample === bytes) return chosen;
  const text = decodeAs(bytes, chosen.charset);
  return text === null ? null : { text, charset: chosen.charset };
}

// A long body is judged by its start: the charset is the same throughout, and scoring every
// candidate over megabytes would cost seconds. The cut falls on a line break or a space, which
// no double-byte charset uses inside a character.
const SAMPLE_BYTES = 16 * 1024;
function sampleOf(bytes: Uint8Array): Uint8Array {
  if (bytes.byteLength <= SAMPLE_BYTES) return bytes;
  const head = bytes.subarray(0, SAMPLE_BYTES);
  const cut = Math.max(head.lastIndexOf(0x0a), head.lastIndexOf(0x20));
  return cut > 0 ? head.subarray(0, cut) : head;
}

function bestReading(bytes: Uint8Array, hints: (string | null)[]): Decoded | null {
  if (hasIso2022JpEscape(bytes)) {
    const text = decodeAs(bytes, "iso-2022-jp");
    if (text !== null && decodesCleanly(text)) return { text, charset: "iso-2022-jp" };
  }
  if (isUtf8(bytes)) return { text: utf8.decode(bytes), charset: "utf-8" };
  const nearlyUtf8 = mostlyUtf8(bytes);
  if (nearlyUtf8 !== null) return { text: nearlyUtf8, charset: "utf-8" };
  const hinted = hints.map(knownCharset).filter((c): c is string => c !== null && c !== "utf-8");
  const detected = new Map<string, number>();
  for (const guess of analyse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength))) {
    const name = knownCharset(guess.name);
    if (name && !detected.has(name) && guess.confidence > MEANINGFUL_CONFIDENCE)
      detected.set(name, guess.confidence);
  }
  const candidates = [...new Set([...hinted, ...detected.keys(), ...FALLBACKS])];
  let best: (Decoded & { score: number }) | null = null;
  for (const charset of candidates) {
    const text = decodeAs(bytes, charset);
    if (text === null || !decodesCleanly(text)) continue;
    const highChars = [...text].filter((c) => c > "\x7f").length;
    const score =
      plausibility(text, charset) +
      (hinted.includes(charset) ? highChars * 0.5 : 0) +
      (detected.get(charset) ?? 0) / 100;
    if (!best || score > best.score) best = { text, charset, score };
  }
  return best ? { text: best.text, charset: best.charset } : null;
}

// Bytes under a label: as labelled when that decodes cleanly, otherwise the best reading with the
// label as a hint (Shift_JIS labelled ISO-2022-JP, GBK labelled with an alias like iso-gb2312).
export function decodeLabelled(bytes: Uint8Array, label: string | null, hints: (string | null)[] = []) {
  const charset = whatwgCharset(label);
  const text = charset ? decodeAs(bytes, charset) : null;
  if (charset && text !== null && decodesCleanly(text)) return { text, charset, relabelled: false };
  const found = decodeUnlabelled(bytes, [label, ...hints]);
  if (!found) return null;
  // A known label keeps its reading unless another reads better: Latin-1 text with one stray
  // control byte is still Latin-1, not Chinese.
  if (charset && text !== null) {
    const sample = sampleOf(bytes);
    const labelled = decodeAs(sample, charset) ?? "";
    const other = decodeAs(sample, found.charset) ?? "";
    if (plausibility(labelled, charset) >= plausibility(other, found.charset))
      return { text, charset, relabelled: false };
  }
  return { ...found, relabelled: true };
}
