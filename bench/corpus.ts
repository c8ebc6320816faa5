/**
 * The benchmark corpus: eight messages built deterministically (a seeded generator, no randomness between
 * runs), so every run and every machine measures the same bytes.
 */

/** One benchmark message. */
export interface BenchMessage {
  name: string;
  bytes: Uint8Array;
}

/** mulberry32: a tiny seeded PRNG, enough to make text and binary data that do not compress to nothing. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WORDS =
  "the quarterly numbers are in and revenue grew faster than we planned for so please review the attached deck before our meeting on thursday we should also discuss hiring budget travel and the new office lease".split(
    " ",
  );

function sentence(rand: () => number, words: number): string {
  const out: string[] = [];
  for (let i = 0; i < words; i++) out.push(WORDS[Math.floor(rand() * WORDS.length)] as string);
  const s = out.join(" ");
  return `${s.charAt(0).toUpperCase()}${s.slice(1)}.`;
}

/** Paragraphs of plain text, about `size` characters, lines wrapped at 72. */
function prose(rand: () => number, size: number): string {
  const lines: string[] = [];
  let total = 0;
  let line = "";
  while (total < size) {
    const s = sentence(rand, 6 + Math.floor(rand() * 10));
    for (const word of s.split(" ")) {
      if (line.length + word.length + 1 > 72) {
        lines.push(line);
        total += line.length + 2;
        line = "";
      }
      line = line ? `${line} ${word}` : word;
    }
    if (rand() < 0.2) {
      lines.push(line, "");
      total += line.length + 4;
      line = "";
    }
  }
  if (line) lines.push(line);
  return lines.join("\r\n");
}

function binary(rand: () => number, size: number): Buffer {
  const b = Buffer.allocUnsafe(size);
  for (let i = 0; i < size; i++) b[i] = Math.floor(rand() * 256);
  return b;
}

function base64Lines(data: Buffer): string {
  const flat = data.toString("base64");
  const lines: string[] = [];
  for (let i = 0; i < flat.length; i += 76) lines.push(flat.slice(i, i + 76));
  return lines.join("\r\n");
}

const HEADERS = [
  "From: Alice Example <alice@example.com>",
  "To: Bob Partner <bob@partner.test>",
  "Subject: Quarterly numbers",
  "Date: Mon, 2 Nov 2026 10:00:00 +0000",
  "Message-ID: <bench-1@example.com>",
  "MIME-Version: 1.0",
];

function message(headers: string[], body: string): Uint8Array {
  return new Uint8Array(Buffer.from(`${[...HEADERS, ...headers].join("\r\n")}\r\n\r\n${body}`, "latin1"));
}

function html(text: string): string {
  const paras = text.split("\r\n\r\n").map((p) => `<p>${p}</p>`);
  return `<html><head><meta charset="utf-8"></head><body>\r\n${paras.join("\r\n")}\r\n</body></html>`;
}

function alternative(boundary: string, text: string, htmlBody: string): string {
  return [
    `--${boundary}`,
    "Content-Type: text/plain; charset=utf-8",
    "Content-Transfer-Encoding: 7bit",
    "",
    text,
    `--${boundary}`,
    "Content-Type: text/html; charset=utf-8",
    "Content-Transfer-Encoding: 7bit",
    "",
    htmlBody,
    `--${boundary}--`,
    "",
  ].join("\r\n");
}

function withAttachment(rand: () => number, size: number, name: string): Uint8Array {
  const text = prose(rand, 1500);
  const body = [
    "This is a multi-part message in MIME format.",
    "--mix",
    'Content-Type: multipart/alternative; boundary="alt"',
    "",
    alternative("alt", text, html(text)),
    "--mix",
    `Content-Type: application/pdf; name="${name}"`,
    `Content-Disposition: attachment; filename="${name}"`,
    "Content-Transfer-Encoding: base64",
    "",
    base64Lines(binary(rand, size)),
    "--mix--",
    "",
  ].join("\r\n");
  return message(['Content-Type: multipart/mixed; boundary="mix"'], body);
}

/** A Gmail reply thread: each older message quoted inside the next one's gmail_quote blockquote. */
function gmailThread(rand: () => number, size: number): Uint8Array {
  let htmlBody = "";
  let textBody = "";
  let depth = 0;
  while (htmlBody.length + textBody.length < size) {
    const text = prose(rand, 1200);
    const attribution = `On Mon, Nov ${depth + 1}, 2026 at 9:${10 + depth} AM Bob Partner &lt;bob@partner.test&gt; wrote:`;
    htmlBody = `<div dir="ltr">${html(text).replace(/^.*<body>\r\n|\r\n<\/body><\/html>$/g, "")}</div><br><div class="gmail_quote"><div dir="ltr" class="gmail_attr">${attribution}<br></div><blockquote class="gmail_quote" style="margin:0px 0px 0px 0.8ex;border-left:1px solid rgb(204,204,204);padding-left:1ex">${htmlBody}</blockquote></div>`;
    textBody = `${text}\r\n\r\n${attribution.replace(/&lt;/g, "<").replace(/&gt;/g, ">")}\r\n\r\n${textBody
      .split("\r\n")
      .map((l) => `> ${l}`)
      .join("\r\n")}`;
    depth++;
  }
  return message(
    ['Content-Type: multipart/alternative; boundary="000000000000gmail"', "In-Reply-To: <prev@partner.test>"],
    alternative("000000000000gmail", textBody, `<html><body>${htmlBody}</body></html>`).replace(/^/, ""),
  );
}

function related(rand: () => number): Uint8Array {
  const text = prose(rand, 3000);
  const images = [0, 1, 2].map((i) => ({
    cid: `image00${i}.png@01DA0000.00000000`,
    data: binary(rand, 40_000),
  }));
  const htmlBody = html(text).replace(
    "</body>",
    `${images.map((img) => `<img src="cid:${img.cid}" width="120" height="40">`).join("")}\r\n</body>`,
  );
  const parts = [
    "--rel",
    "Content-Type: text/html; charset=utf-8",
    "Content-Transfer-Encoding: quoted-printable",
    "",
    htmlBody.replace(/=/g, "=3D"),
    ...images.flatMap((img, i) => [
      "--rel",
      `Content-Type: image/png; name="image00${i}.png"`,
      `Content-ID: <${img.cid}>`,
      `Content-Disposition: inline; filename="image00${i}.png"`,
      "Content-Transfer-Encoding: base64",
      "",
      base64Lines(img.data),
    ]),
    "--rel--",
    "",
  ];
  return message(['Content-Type: multipart/related; type="text/html"; boundary="rel"'], parts.join("\r\n"));
}

function latin1Qp(rand: () => number): Uint8Array {
  const text = prose(rand, 6000)
    .replace(/review/g, "révision")
    .replace(/office/g, "bureau à Zürich")
    .replace(/budget/g, "Budget für Größen");
  const qp = text
    .split("\r\n")
    .map((line) => {
      let out = "";
      let len = 0;
      for (const ch of line) {
        const code = ch.charCodeAt(0);
        const piece = code > 0x7e || ch === "=" ? `=${code.toString(16).toUpperCase().padStart(2, "0")}` : ch;
        if (len + piece.length > 75) {
          out += "=\r\n";
          len = 0;
        }
        out += piece;
        len += piece.length;
      }
      return out;
    })
    .join("\r\n");
  return message(
    ["Content-Type: text/plain; charset=ISO-8859-1", "Content-Transfer-Encoding: quoted-printable"],
    `${qp}\r\n`,
  );
}

function forwarded(rand: () => number): Uint8Array {
  const inner = message(
    ['Content-Type: multipart/alternative; boundary="inner"'],
    alternative("inner", prose(rand, 2000), html(prose(rand, 2000))),
  );
  const text = prose(rand, 500);
  const body = [
    "--fwd",
    "Content-Type: text/plain; charset=utf-8",
    "",
    `${text}\r\n\r\n---------- Forwarded message ---------`,
    "--fwd",
    "Content-Type: message/rfc822",
    'Content-Disposition: inline; filename="Quarterly numbers.eml"',
    "",
    Buffer.from(inner).toString("latin1"),
    "--fwd--",
    "",
  ].join("\r\n");
  return message(['Content-Type: multipart/mixed; boundary="fwd"', "Subject: Fwd: Quarterly numbers"], body);
}

/**
 * Builds the benchmark corpus. Same bytes on every call and every machine.
 *
 * @example
 * for (const { name, bytes } of generateCorpus()) console.log(name, bytes.length);
 */
export function generateCorpus(): BenchMessage[] {
  const rand = prng(20261102);
  const plainText = prose(rand, 2000);
  const altText = prose(rand, 4500);
  return [
    {
      name: "plain 2 KB",
      bytes: message(
        ["Content-Type: text/plain; charset=utf-8", "Content-Transfer-Encoding: 7bit"],
        `${plainText}\r\n`,
      ),
    },
    {
      name: "alternative 10 KB",
      bytes: message(
        ['Content-Type: multipart/alternative; boundary="alt"'],
        alternative("alt", altText, html(altText)),
      ),
    },
    { name: "Gmail reply thread 80 KB", bytes: gmailThread(rand, 80_000) },
    { name: "related, 3 inline images", bytes: related(rand) },
    { name: "1 MB attachment", bytes: withAttachment(rand, 750_000, "deck.pdf") },
    { name: "25 MB attachment", bytes: withAttachment(rand, 18_750_000, "archive.pdf") },
    { name: "Latin-1 quoted-printable", bytes: latin1Qp(rand) },
    { name: "forwarded message", bytes: forwarded(rand) },
  ];
}
