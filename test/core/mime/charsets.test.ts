/**
 * Charsets mail still uses (issue #3 item 3): for each, a stamped part decodes to the original text with the
 * stamp inserted, a stamp the charset can hold keeps the charset, one it cannot hold moves the part to UTF-8
 * (only the charset parameter changes), and postal-mime reads the result back.
 */
import iconv from "iconv-lite";
import PostalMime from "postal-mime";
import { describe, expect, it } from "vitest";
import { findBodyParts } from "../../../src/core/mime/body-parts.js";
import { decodePartText } from "../../../src/core/mime/decode.js";
import { injectStamp } from "../../../src/core/mime/inject-stamp.js";
import { scanMessage, type MimeNode, type ScannedMessage } from "../../../src/core/mime/scan-message.js";
import { BASE_HEADERS } from "../../helpers/messages.js";
import { isInsertionOf } from "./_invariants.js";

interface Row {
  charset: string;
  /** Text in the charset's own script. */
  sample: string;
  /** Whether the charset holds "€". */
  euro: boolean;
  cte?: "8bit" | "quoted-printable" | "base64" | "7bit";
}

/**
 * The printable upper half of a single-byte charset: characters that iconv-lite (which writes the test
 * message) and the WHATWG decoder (which mail clients and mailstamp read with) agree on.
 */
function upperHalf(charset: string): string {
  let decode = (bytes: Uint8Array): string => iconv.decode(Buffer.from(bytes), charset);
  try {
    const decoder = new TextDecoder(charset);
    decode = (bytes) => decoder.decode(bytes);
  } catch {
    // Node's ICU lacks a few WHATWG labels (iso-8859-16); mailstamp reads those with iconv-lite as well.
  }
  const out: string[] = [];
  for (let byte = 0xa1; byte <= 0xff; byte++) {
    const c = decode(new Uint8Array([byte]));
    if (c === "\ufffd" || /[\p{C}\p{Z}\p{M}]/u.test(c)) continue;
    if (iconv.decode(iconv.encode(c, charset), charset) === c) out.push(c);
  }
  return out.join("");
}

/** ISO-2022-JP test data (iconv-lite has no encoder): JIS X 0208 runs taken from EUC-JP, ASCII around them. */
function iso2022jp(text: string): Buffer {
  const out: number[] = [];
  let jis = false;
  for (const ch of text) {
    if (ch.charCodeAt(0) < 0x80) {
      if (jis) out.push(0x1b, 0x28, 0x42);
      jis = false;
      out.push(ch.charCodeAt(0));
    } else {
      if (!jis) out.push(0x1b, 0x24, 0x42);
      jis = true;
      for (const b of iconv.encode(ch, "euc-jp")) out.push(b - 0x80);
    }
  }
  if (jis) out.push(0x1b, 0x28, 0x42);
  return Buffer.from(out);
}

/** The charset's bytes of a text, as a sending client would write them. */
function encodeIn(text: string, charset: string): Buffer {
  return charset === "ISO-2022-JP" ? iso2022jp(text) : iconv.encode(text, charset);
}

const ISO_8859 = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 14, 15, 16];
const ISO_EURO = new Set([7, 15, 16]);
const ROWS: Row[] = [
  { charset: "EUC-KR", sample: "안녕하세요, 회의는 목요일입니다", euro: true },
  { charset: "ks_c_5601-1987", sample: "안녕하세요, 회의는 목요일입니다", euro: true, cte: "base64" },
  { charset: "GB2312", sample: "你好，会议在星期四", euro: true },
  { charset: "GBK", sample: "你好，會議在星期四", euro: true, cte: "quoted-printable" },
  { charset: "GB18030", sample: "你好，会议在星期四 😀", euro: true },
  { charset: "Big5", sample: "你好，會議在星期四", euro: true },
  { charset: "ISO-2022-JP", sample: "こんにちは、会議は木曜日です", euro: false, cte: "7bit" },
  { charset: "Shift_JIS", sample: "こんにちは、会議は木曜日です", euro: false },
  { charset: "KOI8-R", sample: "Привет, встреча в четверг", euro: false },
  { charset: "KOI8-U", sample: "Привіт, зустріч у четвер", euro: false, cte: "quoted-printable" },
  ...[1250, 1251, 1252, 1253, 1254, 1255, 1256, 1257, 1258].map((n): Row => ({
    charset: `windows-${n}`,
    sample: upperHalf(`windows-${n}`),
    euro: true,
    cte: n % 2 ? "quoted-printable" : "8bit",
  })),
  ...ISO_8859.map((n): Row => ({
    charset: `ISO-8859-${n}`,
    sample: upperHalf(`iso-8859-${n}`),
    euro: ISO_EURO.has(n),
    cte: n % 3 === 0 ? "base64" : n % 2 ? "quoted-printable" : "8bit",
  })),
  { charset: "UTF-7", sample: "Grüße, 你好", euro: true, cte: "7bit" },
];

function encodeBody(bytes: Uint8Array, cte: NonNullable<Row["cte"]>): string {
  if (cte === "base64") return Buffer.from(bytes).toString("base64").replace(/.{76}/g, "$&\r\n");
  if (cte === "quoted-printable") {
    let out = "";
    let line = "";
    for (const b of bytes) {
      if (b === 0x0d) continue;
      if (b === 0x0a) {
        out += `${line}\n`;
        line = "";
        continue;
      }
      const piece =
        b >= 0x21 && b <= 0x7e && b !== 0x3d
          ? String.fromCharCode(b)
          : `=${b.toString(16).toUpperCase().padStart(2, "0")}`;
      if (line.length + piece.length > 75) {
        out += `${line}=\n`;
        line = "";
      }
      line += piece;
    }
    return out + line;
  }
  return Buffer.from(bytes).toString("latin1");
}

function message(row: Row): Uint8Array {
  const cte = row.cte ?? "8bit";
  const bytes = new Uint8Array(encodeIn(`Hello Bob,\r\n${row.sample}\r\n`, row.charset));
  const head = [
    ...BASE_HEADERS,
    `Content-Type: text/plain; charset=${row.charset}`,
    `Content-Transfer-Encoding: ${cte}`,
  ];
  const raw = `${head.join("\n")}\n\n${encodeBody(bytes, cte)}`.replace(/\r?\n/g, "\r\n");
  return new Uint8Array(Buffer.from(raw, "latin1"));
}

function scan(raw: Uint8Array): ScannedMessage {
  const r = scanMessage(raw, { maxMimeDepth: 32, maxParts: 2000 });
  if (!r.ok) throw new Error(r.detail);
  return r.message;
}

function stampText(
  raw: Uint8Array,
  stamp: string,
): { before: string; after: string; charset: string; out: Uint8Array } {
  const r = injectStamp(raw, [{ id: "sig", html: "", text: stamp, placement: "bottom" }]);
  if (!r.ok) throw new Error(`${r.reason}: ${r.detail}`);
  const a = scan(r.message);
  const b = scan(raw);
  const nodeA = findBodyParts(a).text as MimeNode;
  const nodeB = findBodyParts(b).text as MimeNode;
  return {
    before: decodePartText(b, nodeB),
    after: decodePartText(a, nodeA),
    charset: nodeA.contentType.params.charset ?? "",
    out: r.message,
  };
}

describe("charsets", () => {
  it("decodes every sample back to itself (the table is sound)", () => {
    for (const row of ROWS) {
      expect({
        charset: row.charset,
        text:
          row.charset === "ISO-2022-JP"
            ? new TextDecoder(row.charset).decode(encodeIn(row.sample, row.charset))
            : iconv.decode(encodeIn(row.sample, row.charset), row.charset),
      }).toEqual({
        charset: row.charset,
        text: row.sample,
      });
      expect(row.sample.length).toBeGreaterThan(5);
    }
  });

  it("reads what Node's TextDecoder misreads as the WHATWG decoders do, so a move to UTF-8 keeps the text", () => {
    const cases: Array<[string, string]> = [
      ["windows-1252", "Preis: 10 € – „Angebot“"],
      ["iso-8859-1", "Preis: 10 € – „Angebot“"], // WHATWG reads this label as windows-1252
      ["ks_c_5601-1987", "똠방각하 € 안녕"], // windows-949 syllables outside KS X 1001
      ["big5", "嘅 你好"], // HKSCS
    ];
    for (const [charset, sample] of cases) {
      const head = [
        ...BASE_HEADERS,
        `Content-Type: text/plain; charset=${charset}`,
        "Content-Transfer-Encoding: 8bit",
      ];
      const bytes = iconv.encode(
        `Hello Bob,\r\n${sample}\r\n`,
        charset === "iso-8859-1" ? "windows-1252" : charset,
      );
      const raw = new Uint8Array(Buffer.concat([Buffer.from(`${head.join("\r\n")}\r\n\r\n`), bytes]));
      // An emoji is in none of these charsets: the part moves to UTF-8 and every character is written again.
      const { before, after, charset: now } = stampText(raw, "😀");
      expect({ charset, before }).toEqual({ charset, before: `Hello Bob,\r\n${sample}\r\n` });
      expect(now).toBe("utf-8");
      expect(after).toBe(`${before}\r\n😀\r\n`);
    }
  });

  for (const row of ROWS) {
    describe(row.charset, () => {
      it("keeps the charset for a stamp it can hold, and the decoded text is the original plus the stamp", async () => {
        const raw = message(row);
        const stamp = `-- \nAlice - ${[...row.sample].slice(0, 4).join("")}`;
        const { before, after, charset, out } = stampText(raw, stamp);
        expect(before).toBe(`Hello Bob,\r\n${row.sample}\r\n`);
        expect(after).toBe(`${before}\r\n${stamp.replace(/\n/g, "\r\n")}\r\n`);
        expect(charset.toLowerCase()).toBe(row.charset.toLowerCase());
        // postal-mime decodes with Node's TextDecoder, which lacks some labels and misreads windows-1252's
        // 0x80–0x9F; that the message still parses and carries the stamp is what it can check.
        const parsed = await PostalMime.parse(out);
        expect(parsed.text).toContain("Alice - ");
      });

      it(`${row.euro ? "keeps the charset for" : "moves the part to UTF-8 for"} a stamp with "€"`, async () => {
        const raw = message(row);
        const { before, after, charset, out } = stampText(raw, "Price: 10 € net");
        expect(isInsertionOf(before, after, ["Price: 10 € net"], 1)).toBe(true);
        expect(charset.toLowerCase()).toBe(row.euro ? row.charset.toLowerCase() : "utf-8");
        const parsed = await PostalMime.parse(out);
        expect(parsed.text).toContain(row.euro ? "Price: 10 " : "Price: 10 € net");
        if (!row.euro) expect(parsed.text).toContain(row.sample);
      });
    });
  }
});
