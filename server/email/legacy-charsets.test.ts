import assert from "node:assert/strict";
import { test } from "node:test";
import { repairCharsets } from "./charset-repair.ts";
import { parseEmail } from "./parse.ts";

// Mail as legacy mailers write it, byte for byte: header and body bytes in the sender's charset
// with no encoded word and no label, or under a wrong label. `h` is raw hex for the 8-bit bytes;
// the comment beside each says what text they are.
const h = (hex: string) => Buffer.from(hex, "hex");
const mail = (...pieces: (string | Buffer)[]) =>
  Buffer.concat(pieces.map((p) => (typeof p === "string" ? Buffer.from(p, "latin1") : p)));

const MULTIPART_TAIL = (filename: Buffer) => [
  "\r\n--b1\r\n",
  'Content-Type: application/pdf\r\nContent-Disposition: attachment; filename="',
  filename,
  '"\r\nContent-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQK\r\n--b1--\r\n',
];

test("raw GBK bytes in the subject, sender name, file name and an unlabelled body", async () => {
  const raw = mail(
    "From: ",
    h("d5c5ceb0"), // 张伟
    " <zhangwei@example.cn>\r\nTo: support@example.com\r\nSubject: ",
    h("b9d8d3dab7a2c6b1b5c4cecacce2"), // 关于发票的问题
    '\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="b1"\r\n\r\n--b1\r\n',
    "Content-Type: text/plain\r\nContent-Transfer-Encoding: 8bit\r\n\r\n",
    h("c4fabac3a3acc7ebb2e9cad5b8bdbcfed6d0b5c4bacfcdaca1a3"), // 您好，请查收附件中的合同。
    ...MULTIPART_TAIL(h("b7a2c6b12e706466")), // 发票.pdf
  );
  const parsed = await parseEmail(raw);
  assert.equal(parsed.subject, "关于发票的问题");
  assert.deepEqual(parsed.from, { address: "zhangwei@example.cn", name: "张伟" });
  assert.equal(parsed.text.trim(), "您好，请查收附件中的合同。");
  assert.deepEqual(
    parsed.attachments.map((a) => [a.filename, a.contentType, Buffer.from(a.content).toString()]),
    [["发票.pdf", "application/pdf", "%PDF-1.4\n"]],
  );
});

test("raw Big5 and Shift_JIS header bytes, each in a mail of its own", async () => {
  const big5 = await parseEmail(
    mail(
      "From: ",
      h("b3afa46aa4e5"), // 陳大文
      " <chan@example.hk>\r\nSubject: ",
      h("c3f6a9f3b56fb2bcaabab0ddc344"), // 關於發票的問題
      '\r\nContent-Type: multipart/mixed; boundary="b1"\r\n\r\n--b1\r\nContent-Type: text/plain\r\n\r\nHi\r\n',
      ...MULTIPART_TAIL(h("b3f8bbf9b3e62e706466")), // 報價單.pdf
    ),
  );
  assert.equal(big5.subject, "關於發票的問題");
  assert.equal(big5.from?.name, "陳大文");
  assert.equal(big5.attachments[0].filename, "報價單.pdf");

  const sjis = await parseEmail(
    mail(
      "From: ",
      h("8e52936391be9859"), // 山田太郎
      " <yamada@example.jp>\r\nSubject: ",
      h("90bf8b818f9182c982c282a282c4"), // 請求書について
      '\r\nContent-Type: multipart/mixed; boundary="b1"\r\n\r\n--b1\r\nContent-Type: text/plain\r\n\r\n',
      h("82a890a2986282c982c882c182c482a882e882dc82b78142"), // お世話になっております。
      ...MULTIPART_TAIL(h("8ca990cf8f912e706466")), // 見積書.pdf
    ),
  );
  assert.equal(sjis.subject, "請求書について");
  assert.equal(sjis.from?.name, "山田太郎");
  assert.equal(sjis.text.trim(), "お世話になっております。");
  assert.equal(sjis.attachments[0].filename, "見積書.pdf");
});

test("raw KOI8-R and windows-1251 headers, and a KOI8-R body that claims to be US-ASCII", async () => {
  const koi8 = await parseEmail(
    mail(
      "From: ",
      h("e9d7c1ce20f0c5d4d2cfd7"), // Иван Петров
      " <ivan@example.ru>\r\nSubject: ",
      h("f7cfd0d2cfd320d0cf20d3dea3d4d5"), // Вопрос по счёту
      "\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n",
      h("fac4d2c1d7d3d4d7d5cad4c52c20d3dea3d420d7cf20d7cccfd6c5cec9c92e"), // Здравствуйте, счёт во вложении.
      "\r\n",
    ),
  );
  assert.equal(koi8.subject, "Вопрос по счёту");
  assert.equal(koi8.from?.name, "Иван Петров");
  assert.equal(koi8.text.trim(), "Здравствуйте, счёт во вложении.");

  const cp1251 = await parseEmail(
    mail(
      "From: ",
      h("ceebfce3e0"), // Ольга
      " <olga@example.ru>\r\nSubject: ",
      h("c2eeeff0eef120efee20f1f7b8f2f3"), // Вопрос по счёту
      '\r\nContent-Type: multipart/mixed; boundary="b1"\r\n\r\n--b1\r\nContent-Type: text/plain\r\n\r\nok\r\n',
      ...MULTIPART_TAIL(h("d1f7b8f22df4e0eaf2f3f0e02e706466")), // Счёт-фактура.pdf
    ),
  );
  assert.equal(cp1251.subject, "Вопрос по счёту");
  assert.equal(cp1251.from?.name, "Ольга");
  assert.equal(cp1251.attachments[0].filename, "Счёт-фактура.pdf");
});

test("Shift_JIS labelled ISO-2022-JP, and GBK under the alias iso-gb2312, are read as what they are", async () => {
  const parsed = await parseEmail(
    mail(
      "From: a@example.jp\r\n",
      "Subject: =?ISO-2022-JP?B?kL+LgY+RgsmCwoKigsQ=?=\r\n", // Shift_JIS 請求書について
      "Content-Type: text/plain; charset=ISO-2022-JP\r\nContent-Transfer-Encoding: 8bit\r\n\r\n",
      h("82a890a2986282c982c882c182c482a882e882dc82b78142"), // Shift_JIS お世話になっております。
      "\r\n",
    ),
  );
  assert.equal(parsed.subject, "請求書について");
  assert.equal(parsed.text.trim(), "お世話になっております。");

  const alias = await parseEmail(
    mail(
      "From: =?iso-gb2312?B?1cXOsA==?= <zw@example.cn>\r\n", // 张伟
      "Subject: =?iso-gb2312?B?udjT2reixrG1xM7KzOI=?=\r\n", // 关于发票的问题
      "Content-Type: text/plain; charset=iso-gb2312\r\nContent-Transfer-Encoding: base64\r\n\r\n",
      "xPq6w6Osx+uy6crVuL28/tbQtcS6z82soaM=\r\n", // 您好，请查收附件中的合同。
    ),
  );
  assert.equal(alias.subject, "关于发票的问题");
  assert.equal(alias.from?.name, "张伟");
  assert.equal(alias.text.trim(), "您好，请查收附件中的合同。");
});

test("an unlabelled ISO-2022-JP body is read by its escapes", async () => {
  const parsed = await parseEmail(
    mail(
      "From: a@example.jp\r\nSubject: x\r\n\r\n",
      h("1b2442242a4c6424243967246f243b1b2842"), // ISO-2022-JP お問い合わせ (escapes, 7-bit)
      "\r\n",
    ),
  );
  assert.equal(parsed.text.trim(), "お問い合わせ");
});

test("an RFC 2231 file name under an unknown or wrong charset label reads as written", async () => {
  const parsed = await parseEmail(
    mail(
      'From: a@example.com\r\nSubject: files\r\nContent-Type: multipart/mixed; boundary="b1"\r\n\r\n',
      "--b1\r\nContent-Type: text/plain\r\n\r\nhi\r\n",
      "--b1\r\nContent-Type: application/pdf\r\n",
      "Content-Disposition: attachment; filename*=iso-gb2312''%B7%A2%C6%B1.pdf\r\n\r\n%PDF\r\n", // GBK 发票.pdf
      "--b1\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment;\r\n",
      " filename*0*=iso-2022-jp''%8C%A9%90%CF;\r\n filename*1*=%8F%91.pdf\r\n\r\n%PDF\r\n", // Shift_JIS 見積書.pdf
      "--b1\r\nContent-Type: application/pdf\r\n",
      "Content-Disposition: attachment; filename*=utf-8''caf%C3%A9.pdf\r\n\r\n%PDF\r\n",
      "--b1--\r\n",
    ),
  );
  assert.deepEqual(
    parsed.attachments.map((a) => a.filename),
    ["发票.pdf", "見積書.pdf", "café.pdf"],
  );
});

test("a malformed encoded word stays literal text", async () => {
  const parsed = await parseEmail(
    mail(
      "From: =?utf-8?B?!!notbase64!!?= <x@example.com>\r\n",
      "Subject: Re: =?utf-8?B?!!notbase64!!?= and =?utf-8?Q?caf=C3=A9?=\r\n\r\nhi\r\n",
    ),
  );
  assert.equal(parsed.subject, "Re: =?utf-8?B?!!notbase64!!?= and café");
  assert.deepEqual(parsed.from, { address: "x@example.com", name: "=?utf-8?B?!!notbase64!!?=" });
  const between = await parseEmail(
    mail("From: x@example.com\r\nSubject: =?utf-8?Q?a?= =?utf-8?B?!!bad!!?= =?utf-8?Q?b?=\r\n\r\nhi\r\n"),
  );
  assert.equal(between.subject, "a =?utf-8?B?!!bad!!?= b");
});

test("Latin-1 text with a stray control byte keeps its label", async () => {
  const parsed = await parseEmail(
    mail(
      "From: a@example.fr\r\nSubject: x\r\nContent-Type: text/plain; charset=iso-8859-1\r\n",
      "Content-Transfer-Encoding: 8bit\r\n\r\n",
      Buffer.from("Réunion à 14h, salle numéro 3, très important. Merci beaucoup, Hélène", "latin1"),
      h("81"), // undefined in windows-1252: U+0081
      "\r\n",
    ),
  );
  assert.equal(
    parsed.text.trim(),
    "Réunion à 14h, salle numéro 3, très important. Merci beaucoup, Hélène\u0081",
  );
});

test("UTF-8 with one broken byte stays UTF-8 rather than being read as a legacy charset", async () => {
  const parsed = await parseEmail(
    mail(
      "From: a@example.com\r\nSubject: ",
      Buffer.from("Grüße aus Köln und schöne Grüße", "utf8"),
      h("c3"), // a character cut off after its first byte
      "\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n",
      Buffer.from("Schöne Grüße, Jürgen", "utf8"),
      h("e4"),
      "\r\n",
    ),
  );
  assert.equal(parsed.subject, "Grüße aus Köln und schöne Grüße\uFFFD");
  assert.equal(parsed.text.trim(), "Schöne Grüße, Jürgen\uFFFD");
});

test("mail that needs nothing mended is passed to the parser as it came", () => {
  const raw = mail(
    "From: =?windows-1252?Q?Caf=E9?= <a@example.com>\r\nSubject: =?utf-8?B?Y2Fmw6k=?=\r\n",
    "Content-Type: text/plain; charset=koi8-r\r\nContent-Transfer-Encoding: 8bit\r\n\r\n",
    h("fac4d2c1d7d3d4d7d5cad4c5"), // Здравствуйте
    "\r\n",
  );
  assert.equal(repairCharsets(raw), raw);
  const utf8Body = mail("Subject: x\r\n\r\n", Buffer.from("Grüße, 你好\r\n", "utf8"));
  assert.equal(repairCharsets(utf8Body), utf8Body);
});

// Subjects and names as they come from mailers in each legacy charset, raw in the header with no
// label anywhere in the mail: the hardest case, where only the bytes tell.
const UNLABELLED: [string, string[]][] = [
  ["gbk", ["关于发票的问题", "张伟", "发票.pdf", "您好，请查收附件中的合同", "王小明", "订单确认"]],
  ["big5", ["關於發票的問題", "陳大文", "報價單.pdf", "王小明"]],
  ["shift_jis", ["請求書について", "山田太郎", "見積書.pdf", "テスト", "田中", "お世話になっております"]],
  ["euc-jp", ["請求書について", "お問い合わせ"]],
  ["koi8-r", ["Вопрос по счёту", "Иван Петров", "привет", "Счёт-фактура.pdf", "Ольга"]],
  ["windows-1251", ["Вопрос по счёту", "Иван Петров", "привет", "Счёт-фактура.pdf", "Ольга"]],
  ["windows-1252", ["Café Müller", "Grüße aus Köln", "Réunion à 14h"]],
];

test("unlabelled raw header bytes in each legacy charset read back as written", async () => {
  const { default: iconv } = await import("iconv-lite");
  const misread: string[] = [];
  for (const [charset, texts] of UNLABELLED) {
    for (const text of texts) {
      const raw = mail("From: a@example.com\r\nSubject: ", iconv.encode(text, charset), "\r\n\r\nhi\r\n");
      const { subject } = await parseEmail(raw);
      if (subject !== text) misread.push(`${charset} ${text} -> ${subject}`);
    }
  }
  assert.deepEqual(misread, []);
});
