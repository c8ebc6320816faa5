import PostalMime from "postal-mime";
import { describe, expect, it } from "vitest";
import { injectIntoScanned, injectStamp, type StampInsert } from "../../../src/core/mime/inject-stamp.js";
import { findBodyParts } from "../../../src/core/mime/body-parts.js";
import { decodePartText } from "../../../src/core/mime/decode.js";
import { scanMessage, type MimeNode, type ScannedMessage } from "../../../src/core/mime/scan-message.js";
import { buildMessage, latin1, leaf, multipart, shapes, text, type Eol } from "../../helpers/messages.js";

const LIMITS = { maxMimeDepth: 32, maxParts: 2000 };
const SIG: StampInsert = {
  id: "sig",
  html: "<p>Alice Example</p>",
  text: "Alice Example",
  placement: "bottom",
};

function scan(raw: Uint8Array): ScannedMessage {
  const r = scanMessage(raw, LIMITS);
  if (!r.ok) throw new Error(r.detail);
  return r.message;
}

function stamp(raw: Uint8Array | string, inserts: StampInsert[] = [SIG], options = {}): Uint8Array {
  const r = injectStamp(raw, inserts, options);
  if (!r.ok) throw new Error(`${r.reason}: ${r.detail}`);
  return r.message;
}

function bodies(raw: Uint8Array): {
  html?: string;
  text?: string;
  msg: ScannedMessage;
  nodes: { html?: MimeNode; text?: MimeNode };
} {
  const msg = scan(raw);
  const nodes = findBodyParts(msg);
  return {
    msg,
    nodes,
    ...(nodes.html ? { html: decodePartText(msg, nodes.html) } : {}),
    ...(nodes.text ? { text: decodePartText(msg, nodes.text) } : {}),
  };
}

/** The byte segments outside the stamped bodies and their own headers, which must come through unchanged. */
function outsideSegments(raw: Uint8Array): Uint8Array[] {
  const { nodes } = bodies(raw);
  const stamped = [nodes.html, nodes.text]
    .filter((n): n is MimeNode => n !== undefined)
    .sort((a, b) => a.start - b.start);
  const out: Uint8Array[] = [];
  let pos = 0;
  for (const n of stamped) {
    out.push(raw.subarray(pos, n.start));
    pos = n.bodyEnd;
  }
  out.push(raw.subarray(pos));
  return out.map((s) => s.slice());
}

const shapeCases: Array<[string, (eol?: Eol) => Uint8Array, Array<"html" | "text">]> = [
  ["single text/plain", shapes.plain, ["text"]],
  ["single text/html", shapes.html, ["html"]],
  ["multipart/alternative", shapes.alternative, ["text", "html"]],
  ["multipart/mixed with an attachment", shapes.mixedWithAttachment, ["text"]],
  ["multipart/related with an inline image", shapes.relatedWithImage, ["html"]],
  ["multipart/mixed > multipart/alternative", shapes.mixedAlternative, ["text", "html"]],
];

describe("injectStamp: message shapes", () => {
  for (const [name, build, kinds] of shapeCases) {
    for (const eol of ["\r\n", "\n"] as const) {
      const label = eol === "\r\n" ? "CRLF" : "LF";
      it(`stamps the body of ${name} (${label}) and keeps every other byte`, async () => {
        const raw = build(eol);
        const out = stamp(raw);
        expect(outsideSegments(out)).toEqual(outsideSegments(raw));
        const before = await PostalMime.parse(raw);
        const after = await PostalMime.parse(out);
        if (kinds.includes("html")) {
          expect(after.html?.replace("<p>Alice Example</p>", "")).toBe(before.html);
          expect(after.html).toMatch(/<p>Alice Example<\/p><\/body>/);
        }
        if (kinds.includes("text")) {
          expect(after.text).toContain("Alice Example");
          expect(after.text?.replace(/\n*Alice Example\n*$/, "")).toBe(before.text?.replace(/\n+$/, ""));
        }
        expect(
          after.attachments.map((a) => [
            a.filename,
            a.mimeType,
            Buffer.from(a.content as ArrayBuffer).toString("base64"),
          ]),
        ).toEqual(
          before.attachments.map((a) => [
            a.filename,
            a.mimeType,
            Buffer.from(a.content as ArrayBuffer).toString("base64"),
          ]),
        );
        // Line endings follow the message: no bare LF appears in a CRLF message and no CR in an LF one.
        if (eol === "\r\n") expect(text(out)).not.toMatch(/[^\r]\n/);
        else expect(text(out)).not.toContain("\r");
      });
    }
  }

  it("reports a multipart without any text body as no-body", () => {
    const raw = buildMessage(
      multipart("mixed", "x", [leaf(["Content-Type: image/png", "Content-Disposition: attachment"], "AAAA")]),
    );
    expect(injectStamp(raw, [SIG])).toMatchObject({ ok: false, reason: "no-body" });
  });

  it("never stamps a text part inside an attached message/rfc822", () => {
    const raw = buildMessage(
      multipart("mixed", "x", [
        leaf(["Content-Type: message/rfc822"], "Subject: inner\n\ninner text\n"),
        leaf(["Content-Type: text/plain"], "outer text"),
      ]),
    );
    const out = text(stamp(raw));
    expect(out).toContain("Subject: inner\r\n\r\ninner text\r\n");
    expect(out).toMatch(/outer text\r\n\r\nAlice Example\r\n/);
  });

  it("passes scan failures through as their reason", () => {
    expect(injectStamp("", [SIG])).toMatchObject({ ok: false, reason: "unparseable" });
    const deep = buildMessage(multipart("mixed", "a", [multipart("mixed", "b", [leaf([], "x")])]));
    expect(injectStamp(deep, [SIG], { limits: { maxMimeDepth: 1, maxParts: 10 } })).toMatchObject({
      ok: false,
      reason: "limits",
    });
  });
});

describe("injectStamp: placement", () => {
  it("puts an HTML top stamp right after the <body> start tag", () => {
    const { html } = bodies(stamp(shapes.html(), [{ ...SIG, placement: "top" }]));
    expect(html).toContain('<body style="margin:0"><p>Alice Example</p>\r\n<p>Hello Bob</p>');
  });

  it("puts an HTML top stamp after doctype, <html> and <head> when there is no <body>", () => {
    const raw = buildMessage(
      leaf(["Content-Type: text/html"], "<!doctype html><html><head><style>p{}</style></head><p>Hi</p>"),
    );
    const { html } = bodies(stamp(raw, [{ ...SIG, placement: "top" }]));
    expect(html).toBe("<!doctype html><html><head><style>p{}</style></head><p>Alice Example</p><p>Hi</p>");
  });

  it("ignores a <body> inside a comment when placing the HTML top stamp", () => {
    const raw = buildMessage(
      leaf(["Content-Type: text/html"], "<!--[if mso]><body><![endif]--><body><p>Hi</p></body>"),
    );
    const { html } = bodies(stamp(raw, [{ ...SIG, placement: "top" }]));
    expect(html).toBe("<!--[if mso]><body><![endif]--><body><p>Alice Example</p><p>Hi</p></body>");
  });

  it("puts an HTML bottom stamp before </html> or at the end when </body> is missing", () => {
    const a = buildMessage(leaf(["Content-Type: text/html"], "<html><p>Hi</p></HTML>"));
    expect(bodies(stamp(a)).html).toBe("<html><p>Hi</p><p>Alice Example</p></HTML>");
    const b = buildMessage(leaf(["Content-Type: text/html"], "<p>Hi</p>"));
    expect(bodies(stamp(b)).html).toBe("<p>Hi</p><p>Alice Example</p>");
  });

  it("puts a text top stamp first, followed by a blank line", () => {
    const { text: body } = bodies(stamp(shapes.plain(), [{ ...SIG, placement: "top" }]));
    expect(body).toBe("Alice Example\r\n\r\nHello Bob,\r\nthe numbers are in.\r\n");
  });

  it("does not double the blank line before a text bottom stamp", () => {
    const raw = buildMessage(leaf(["Content-Type: text/plain"], "Hello\n\n"));
    expect(bodies(stamp(raw)).text).toBe("Hello\r\n\r\nAlice Example\r\n");
  });

  it("puts under-reply at the located boundary in both parts and reports the pattern", () => {
    const raw = buildMessage(
      multipart("alternative", "a", [
        leaf(["Content-Type: text/plain"], "Sure.\n\nOn Mon, Bob wrote:\n> numbers?"),
        leaf(["Content-Type: text/html"], "<body><p>Sure.</p><div class=gmail_quote>On Mon</div></body>"),
      ]),
    );
    const result = injectStamp(raw, [{ ...SIG, placement: "under-reply" }], {
      locateReply: (kind, decoded) => {
        const index = decoded.indexOf(kind === "text/html" ? "<div class=gmail_quote>" : "On Mon");
        return index < 0 ? undefined : { index, pattern: kind === "text/html" ? "gmail" : "attribution-en" };
      },
    });
    if (!result.ok) throw new Error(result.detail);
    expect(result.applied).toEqual([
      {
        id: "sig",
        parts: ["text/html", "text/plain"],
        boundary: { "text/html": "gmail", "text/plain": "attribution-en" },
      },
    ]);
    const { html, text: body } = bodies(result.message);
    expect(body).toBe("Sure.\r\n\r\nAlice Example\r\n\r\nOn Mon, Bob wrote:\r\n> numbers?");
    expect(html).toBe("<body><p>Sure.</p><p>Alice Example</p><div class=gmail_quote>On Mon</div></body>");
  });

  it("puts under-reply at the end of the body when no boundary is found", () => {
    const result = injectStamp(shapes.alternative(), [{ ...SIG, placement: "under-reply" }], {
      locateReply: () => undefined,
    });
    if (!result.ok) throw new Error(result.detail);
    expect(result.applied).toEqual([{ id: "sig", parts: ["text/html", "text/plain"] }]);
    expect(bodies(result.message).html).toBe(
      "<html><body><p>Hello Bob</p><p>Alice Example</p></body></html>",
    );
  });

  it("keeps the order of several stamps and puts under-reply before bottom at the same position", () => {
    const inserts: StampInsert[] = [
      { id: "legal", html: "<i>legal</i>", text: "legal", placement: "bottom" },
      { id: "sig", html: "<b>sig</b>", text: "sig", placement: "under-reply" },
      { id: "banner1", html: "<u>b1</u>", text: "b1", placement: "top" },
      { id: "banner2", html: "<u>b2</u>", text: "b2", placement: "top" },
    ];
    const { html, text: body } = bodies(stamp(shapes.alternative(), inserts));
    expect(html).toBe("<html><body><u>b1</u><u>b2</u><p>Hello Bob</p><b>sig</b><i>legal</i></body></html>");
    expect(body).toBe("b1\r\n\r\nb2\r\n\r\nHello Bob\r\n\r\nsig\r\n\r\nlegal\r\n");
  });

  it("uses the message's line ending inside the inserted text", () => {
    const out = stamp(shapes.plain("\n"), [{ ...SIG, text: "Alice\r\nCFO" }]);
    expect(bodies(out).text).toBe("Hello Bob,\nthe numbers are in.\n\nAlice\nCFO\n");
  });

  it("leaves a part alone when its stamp is empty", () => {
    const result = injectStamp(shapes.alternative(), [{ ...SIG, text: "" }]);
    if (!result.ok) throw new Error(result.detail);
    expect(result.applied).toEqual([{ id: "sig", parts: ["text/html"] }]);
    expect(bodies(result.message).text).toBe("Hello Bob");
  });

  it("prepends the marker and removes an invalid one", () => {
    const raw = buildMessage(leaf(["X-Mailstamp: v=1; h=forged", "Content-Type: text/plain"], "Hi"));
    const out = text(
      stamp(raw, [SIG], {
        marker: { name: "X-Mailstamp", value: "v=1; h=abc" },
        removeHeader: "x-mailstamp",
      }),
    );
    expect(out.startsWith("X-Mailstamp: v=1; h=abc\r\nFrom: Alice Example")).toBe(true);
    expect(out).not.toContain("forged");
  });

  it("refuses a marker value with a line break (header injection)", () => {
    expect(() =>
      injectStamp(shapes.plain(), [SIG], { marker: { name: "X-Mailstamp", value: "v=1\r\nBcc: x@evil" } }),
    ).toThrow(/single-line/);
  });

  it("stamps an already scanned message the same way", () => {
    const raw = shapes.mixedAlternative();
    const viaScan = injectIntoScanned(scan(raw), [SIG]);
    expect(viaScan.ok && viaScan.message).toEqual(stamp(raw));
  });
});

describe("injectStamp: charsets and transfer encodings", () => {
  it("moves an iso-8859-1 text part to utf-8 when the stamp holds characters Latin-1 cannot", () => {
    const raw = buildMessage(
      leaf(
        ["Content-Type: text/plain; charset=iso-8859-1", "Content-Transfer-Encoding: 8bit"],
        latin1("Gr\xfc\xdfe\r\n"),
      ),
    );
    const out = stamp(raw, [{ ...SIG, text: "Price: 5 €" }]);
    expect(text(out)).toContain(
      "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n",
    );
    expect(bodies(out).text).toBe("Grüße\r\n\r\nPrice: 5 €\r\n");
  });

  it("keeps the iso-8859-1 charset when the stamp fits it", () => {
    const raw = buildMessage(
      leaf(
        ["Content-Type: text/plain; charset=iso-8859-1", "Content-Transfer-Encoding: 8bit"],
        latin1("Gr\xfc\xdfe\r\n"),
      ),
    );
    const out = stamp(raw, [{ ...SIG, text: "Jürgen" }]);
    expect(text(out)).toContain("charset=iso-8859-1");
    expect(text(out)).toContain("Gr\xfc\xdfe\r\n\r\nJ\xfcrgen\r\n");
  });

  it("writes characters an HTML part's charset cannot hold as numeric character references", () => {
    const raw = buildMessage(
      leaf(["Content-Type: text/html; charset=ISO-8859-1"], latin1("<body><p>Caf\xe9</p></body>")),
    );
    const out = stamp(raw, [{ ...SIG, html: "<p>Jürgen 😀 €</p>" }]);
    expect(text(out)).toContain(
      "Content-Type: text/html; charset=ISO-8859-1\r\nContent-Transfer-Encoding: quoted-printable\r\n",
    );
    expect(bodies(out).html).toBe("<body><p>Café</p><p>Jürgen &#x1F600; &#x20AC;</p></body>");
  });

  it("turns a us-ascii 7bit part into quoted-printable utf-8 for an 'é' stamp", () => {
    const raw = buildMessage(leaf(["Content-Type: text/plain; charset=us-ascii"], "Hello"));
    const out = stamp(raw, [{ ...SIG, text: "René" }]);
    const s = text(out);
    expect(s).toContain(
      "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\nHello\r\n\r\nRen=C3=A9\r\n",
    );
  });

  it("adds a charset parameter and the transfer encoding field when the part has neither", () => {
    const raw = buildMessage(leaf(["Content-Type: text/plain"], "Hi"), { headers: ["Subject: x"] });
    const out = text(stamp(raw, [{ ...SIG, text: "Zoë" }]));
    expect(out).toBe(
      "Subject: x\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\nMIME-Version: 1.0\r\n\r\nHi\r\n\r\nZo=C3=AB\r\n",
    );
  });

  it("re-encodes a base64 body in 76-character lines and keeps the decoded text around the stamp", () => {
    const original = "Hello Bob, ".repeat(20);
    const b64 = Buffer.from(original).toString("base64").replace(/.{60}/g, "$&\n");
    const raw = buildMessage(
      leaf(["Content-Type: text/plain; charset=utf-8", "Content-Transfer-Encoding: base64"], `${b64}\n`),
    );
    const out = stamp(raw);
    const { msg, nodes, text: body } = bodies(out);
    expect(body).toBe(`${original}\r\n\r\nAlice Example\r\n`);
    const lines = text(out.subarray(nodes.text!.bodyStart, nodes.text!.bodyEnd)).split("\r\n");
    expect(Math.max(...lines.map((l) => l.length))).toBe(76);
    expect(msg.root.transferEncoding).toBe("base64");
  });

  it("re-encodes a quoted-printable body from the stamp's line on, with soft breaks and encoded trailing whitespace", async () => {
    const raw = buildMessage(
      leaf(
        ["Content-Type: text/html; charset=utf-8", "Content-Transfer-Encoding: quoted-printable"],
        `<body><p>${"x".repeat(60)}=\n${"y".repeat(20)}</p></body>`,
      ),
    );
    const out = stamp(raw, [{ ...SIG, html: `<p>trailing space ${"z".repeat(80)} </p>\n` }]);
    const { nodes, html } = bodies(out);
    expect(html).toBe(
      `<body><p>${"x".repeat(60)}${"y".repeat(20)}</p><p>trailing space ${"z".repeat(80)} </p>\r\n</body>`,
    );
    const encoded = text(out.subarray(nodes.html!.bodyStart, nodes.html!.bodyEnd));
    // The line before the stamp's line is kept as the sender wrote it.
    expect(encoded.startsWith(`<body><p>${"x".repeat(60)}=\r\n`)).toBe(true);
    for (const line of encoded.split("\r\n")) expect(line.length).toBeLessThanOrEqual(76);
    expect((await PostalMime.parse(out)).html).toContain(`<p>trailing space ${"z".repeat(80)} </p>`);
  });

  it("keeps the quoted-printable lines after an under-reply stamp byte for byte", () => {
    const quoted = Array.from(
      { length: 40 },
      (_, i) => `&gt; quoted line ${i} caf=C3=A9 ${"q".repeat(40)}=`,
    ).join("\n");
    const raw = buildMessage(
      leaf(
        ["Content-Type: text/html; charset=utf-8", "Content-Transfer-Encoding: quoted-printable"],
        `<p>Thanks!</p>\n<blockquote>=\n${quoted}\n</blockquote>\n`,
      ),
    );
    const out = stamp(raw, [{ ...SIG, placement: "under-reply", html: "<p>Zoë</p>" }], {
      locateReply: (_kind: string, decoded: string) => ({
        index: decoded.indexOf("<blockquote>"),
        pattern: "t",
      }),
    });
    const rawText = text(raw);
    const outText = text(out);
    const tail = rawText.slice(rawText.indexOf("&gt; quoted line 0"));
    expect(outText.endsWith(tail)).toBe(true);
    expect(bodies(out).html).toContain("<p>Thanks!</p>\r\n<p>Zo\u00eb</p><blockquote>");
  });

  it("switches a 7bit part to quoted-printable when a stamp line passes 998 octets", () => {
    const long = `<p>${"a".repeat(1200)}</p>`;
    const out = stamp(shapes.html(), [{ ...SIG, html: long }]);
    expect(text(out)).toContain("Content-Transfer-Encoding: quoted-printable");
    expect(bodies(out).html).toContain(long);
    for (const line of text(out).split("\r\n")) expect(line.length).toBeLessThanOrEqual(998);
  });

  it("keeps 8bit parts 8bit and splices the stamp bytes into the original bytes", () => {
    const bodyBytes = Buffer.concat([
      Buffer.from("Stra\u00dfe and invalid "),
      Buffer.from([0xff, 0xfe]),
      Buffer.from(" bytes"),
    ]);
    const raw = buildMessage(
      leaf(
        ["Content-Type: text/plain; charset=utf-8", "Content-Transfer-Encoding: 8bit"],
        new Uint8Array(bodyBytes),
      ),
    );
    const out = stamp(raw, [{ ...SIG, placement: "top", text: "Ünïcode" }]);
    const node = bodies(out).nodes.text!;
    const newBody = Buffer.from(out.subarray(node.bodyStart, node.bodyEnd));
    // The invalid bytes survive: nothing was decoded and re-encoded.
    expect(newBody.equals(Buffer.concat([Buffer.from("Ünïcode\r\n\r\n"), bodyBytes]))).toBe(true);
  });

  it("stamps a UTF-16 part by re-encoding it in UTF-16", () => {
    const utf16 = new Uint8Array(Buffer.from("Hello Bob", "utf16le"));
    const raw = buildMessage(
      leaf(
        ["Content-Type: text/plain; charset=utf-16le", "Content-Transfer-Encoding: base64"],
        Buffer.from(utf16).toString("base64"),
      ),
    );
    const out = stamp(raw, [{ ...SIG, text: "Ünïcode" }]);
    expect(text(out)).toContain("charset=utf-16le");
    expect(bodies(out).text).toBe("Hello Bob\r\n\r\nÜnïcode\r\n");
  });

  it("refuses to stamp a part with an unknown transfer encoding", () => {
    const raw = buildMessage(
      leaf(["Content-Type: text/plain", "Content-Transfer-Encoding: x-uuencode"], "begin 644 x"),
    );
    expect(injectStamp(raw, [SIG])).toMatchObject({ ok: false, reason: "unparseable" });
  });

  it("space-stuffs and fixes the stamp lines of a format=flowed part", () => {
    const raw = buildMessage(
      leaf(
        ["Content-Type: text/plain; charset=utf-8; format=flowed; delsp=yes"],
        "Hello Bob \nsoft broken\n",
      ),
    );
    const out = stamp(raw, [{ ...SIG, text: "-- \nAlice  \n> not a quote\nFrom here" }]);
    expect(bodies(out).text).toBe(
      "Hello Bob \r\nsoft broken\r\n\r\n-- \r\nAlice\r\n > not a quote\r\n From here\r\n",
    );
  });

  it("protects the enclosing boundary from a stamp line that would look like a delimiter", () => {
    const raw = shapes.alternative();
    const out = stamp(raw, [{ ...SIG, text: "--alt-1--\nsneaky" }]);
    const msg = scan(out);
    expect(msg.root.children).toHaveLength(2);
    expect(bodies(out).text).toBe("Hello Bob\r\n\r\n--alt-1--\r\nsneaky\r\n");
  });
});
