import { describe, expect, it } from "vitest";
import { scanMessage, type MimeNode } from "../../../src/core/mime/scan-message.js";
import { buildMessage, latin1, leaf, multipart, shapes, text } from "../../helpers/messages.js";

const LIMITS = { maxMimeDepth: 32, maxParts: 2000 };

function scan(raw: Uint8Array | string, limits = LIMITS) {
  const bytes = typeof raw === "string" ? latin1(raw) : raw;
  const result = scanMessage(bytes, limits);
  if (!result.ok) throw new Error(`scan failed: ${result.reason} ${result.detail}`);
  return result.message;
}

function body(raw: Uint8Array, node: MimeNode): string {
  return text(raw.subarray(node.bodyStart, node.bodyEnd));
}

describe("scanMessage", () => {
  it("reads header fields with byte ranges that cover folded lines and their line endings", () => {
    const raw = latin1("Subject: a\r\n  folded\r\nX-Dup: 1\r\nx-dup: 2\r\n\r\nbody\r\n");
    const msg = scan(raw);
    expect(msg.headers.map((h) => [h.name, h.value])).toEqual([
      ["Subject", "a  folded"],
      ["X-Dup", "1"],
      ["x-dup", "2"],
    ]);
    expect(text(raw.subarray(msg.headers[0]!.start, msg.headers[0]!.end))).toBe("Subject: a\r\n  folded\r\n");
    expect(body(raw, msg.root)).toBe("body\r\n");
    expect(msg.lineEnding).toBe("\r\n");
  });

  it("defaults to text/plain; charset=us-ascii and 7bit without MIME headers", () => {
    const msg = scan("Subject: x\n\nhello\n");
    expect(msg.root.contentType).toEqual({
      type: "text",
      subtype: "plain",
      mime: "text/plain",
      params: { charset: "us-ascii" },
    });
    expect(msg.root.transferEncoding).toBe("7bit");
    expect(msg.lineEnding).toBe("\n");
  });

  it("splits multipart/alternative into parts whose bodies exclude the line break before the boundary", () => {
    const raw = shapes.alternative();
    const msg = scan(raw);
    expect(msg.root.contentType.mime).toBe("multipart/alternative");
    expect(msg.root.children.map((c) => [c.path, c.contentType.mime])).toEqual([
      ["1", "text/plain"],
      ["2", "text/html"],
    ]);
    expect(body(raw, msg.root.children[0]!)).toBe("Hello Bob");
    expect(msg.partCount).toBe(3);
  });

  it("numbers nested parts like IMAP sections", () => {
    const msg = scan(shapes.mixedAlternative("\n"));
    expect(msg.root.children[0]!.children.map((c) => c.path)).toEqual(["1.1", "1.2"]);
    expect(msg.root.children[1]!.isAttachment).toBe(true);
    expect(msg.root.children[0]!.children[1]!.depth).toBe(2);
  });

  it("accepts uppercase types and unquoted boundaries containing '='", () => {
    const raw =
      "Content-Type: MULTIPART/MIXED; BOUNDARY==_b=1\r\n\r\n--=_b=1\r\nContent-Type: TEXT/HTML\r\n\r\n<p>x</p>\r\n--=_b=1--\r\n";
    const msg = scan(raw);
    expect(msg.root.boundary).toBe("=_b=1");
    expect(msg.root.children[0]!.contentType.mime).toBe("text/html");
  });

  it("accepts quoted boundaries with spaces and transport padding after the delimiter", () => {
    const raw =
      'Content-Type: multipart/mixed; boundary="a b c"\n\n--a b c  \nContent-Type: text/plain\n\nhi\n--a b c--\n';
    const msg = scan(raw);
    expect(msg.root.children).toHaveLength(1);
    expect(body(latin1(raw), msg.root.children[0]!)).toBe("hi");
  });

  it("does not take a longer boundary that starts with the same text for a delimiter", () => {
    const raw = "Content-Type: multipart/mixed; boundary=abc\n\n--abc\n\n--abcdef\nstill part one\n--abc--\n";
    const msg = scan(raw);
    expect(msg.root.children).toHaveLength(1);
    expect(body(latin1(raw), msg.root.children[0]!)).toBe("--abcdef\nstill part one");
  });

  it("ends the last part at the end of the message when the close delimiter is missing", () => {
    const raw = buildMessage(
      multipart("mixed", "b1", [leaf(["Content-Type: text/plain"], "one"), leaf([], "two\n")], {
        close: false,
      }),
    );
    const msg = scan(raw);
    expect(msg.root.children).toHaveLength(2);
    expect(body(raw, msg.root.children[1]!)).toBe("two\r\n\r\n");
  });

  it("reads a part without headers as default text/plain", () => {
    const raw = "Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n\r\nno headers here\r\n--b--\r\n";
    const child = scan(raw).root.children[0]!;
    expect(child.headers).toEqual([]);
    expect(child.contentType.mime).toBe("text/plain");
    expect(body(latin1(raw), child)).toBe("no headers here");
  });

  it("keeps 8-bit header bytes, as UTF-8 when valid and Latin-1 otherwise", () => {
    const utf8 = new Uint8Array(
      Buffer.concat([Buffer.from("Subject: Grüße\r\nX-L1: "), Buffer.from([0xe9]), Buffer.from("\r\n\r\nx")]),
    );
    const msg = scan(utf8);
    expect(msg.headers[0]!.value).toBe("Grüße");
    expect(msg.headers[1]!.value).toBe("é");
  });

  it("reads a message that is all headers as an empty body", () => {
    const raw = "Subject: only headers\r\nFrom: a@example.com";
    const msg = scan(raw);
    expect(msg.headers).toHaveLength(2);
    expect(msg.root.bodyStart).toBe(raw.length);
    expect(msg.root.bodyEnd).toBe(raw.length);
  });

  it("joins RFC 2231 parameter continuations and decodes their charset", () => {
    const raw =
      "Content-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: application/pdf;\n name*0*=utf-8''Gr%C3%BC;\n name*1=sse.pdf\n\nx\n--b--\n";
    const child = scan(raw).root.children[0]!;
    expect(child.contentType.params.name).toBe("Grüsse.pdf");
    expect(child.isAttachment).toBe(true);
  });

  it("gives children of multipart/digest the message/rfc822 default and does not descend into them", () => {
    const raw =
      "Content-Type: multipart/digest; boundary=d\n\n--d\n\nSubject: inner\nContent-Type: multipart/mixed; boundary=z\n\n--z\n\nx\n--z--\n--d--\n";
    const child = scan(raw).root.children[0]!;
    expect(child.contentType.mime).toBe("message/rfc822");
    expect(child.children).toEqual([]);
  });

  it("reports empty input and bytes without header fields as unparseable", () => {
    expect(scanMessage(new Uint8Array(0), LIMITS)).toMatchObject({ ok: false, reason: "unparseable" });
    expect(scanMessage(latin1("just some text\nwithout headers\n"), LIMITS)).toMatchObject({
      ok: false,
      reason: "unparseable",
    });
  });

  it("reports nesting deeper than maxMimeDepth as limits", () => {
    let part = leaf(["Content-Type: text/plain"], "deep");
    for (let i = 0; i < 5; i++) part = multipart("mixed", `b${i}`, [part]);
    const raw = buildMessage(part);
    expect(scanMessage(raw, { maxMimeDepth: 5, maxParts: 100 }).ok).toBe(true);
    expect(scanMessage(raw, { maxMimeDepth: 4, maxParts: 100 })).toMatchObject({
      ok: false,
      reason: "limits",
    });
  });

  it("reports more parts than maxParts as limits", () => {
    const parts = Array.from({ length: 10 }, (_, i) => leaf(["Content-Type: text/plain"], `p${i}`));
    const raw = buildMessage(multipart("mixed", "many", parts));
    expect(scanMessage(raw, { maxMimeDepth: 32, maxParts: 11 }).ok).toBe(true);
    expect(scanMessage(raw, { maxMimeDepth: 32, maxParts: 10 })).toMatchObject({
      ok: false,
      reason: "limits",
    });
  });

  it("rejects a limit that is not a positive integer instead of treating it as unlimited", () => {
    expect(() => scanMessage(shapes.plain(), { maxMimeDepth: 0, maxParts: 10 })).toThrow(/maxMimeDepth/);
    expect(() => scanMessage(shapes.plain(), { maxMimeDepth: 3, maxParts: Number.NaN })).toThrow(/maxParts/);
  });
});
