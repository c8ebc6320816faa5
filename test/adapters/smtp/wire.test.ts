import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { _encodeDataPieces } from "../../../src/adapters/smtp/_wire.js";

/** The whole DATA payload in one buffer. */
const _encodeData = (message: Uint8Array): Buffer => Buffer.concat(_encodeDataPieces(message));

/** What a receiving SMTP server does with a DATA payload (RFC 5321 §4.5.2): stop at CRLF.CRLF, unstuff. */
function receive(wire: Buffer): string {
  // The DATA command's own CRLF precedes the payload, so a payload of just ".\r\n" is an empty message.
  const text = `\r\n${wire.toString("latin1")}`;
  const end = text.indexOf("\r\n.\r\n");
  const body = text.slice(2, end + 2);
  return body
    .split("\r\n")
    .map((line) => (line.startsWith(".") ? line.slice(1) : line))
    .join("\r\n");
}

describe("_encodeData", () => {
  it("stuffs dots, ends with CRLF.CRLF and adds the missing final line break", () => {
    expect(_encodeData(Buffer.from(".a\r\n.\r\nb")).toString()).toBe("..a\r\n..\r\nb\r\n.\r\n");
  });

  it("turns bare LF into CRLF and stuffs dots after it, so nothing can end DATA early (SMTP smuggling)", () => {
    const wire = _encodeData(Buffer.from("a\n.\nMAIL FROM:<x@evil.test>\r\n.\r\nafter\r\n")).toString();
    expect(wire).toBe("a\r\n..\r\nMAIL FROM:<x@evil.test>\r\n..\r\nafter\r\n.\r\n");
    expect(wire.indexOf("\r\n.\r\n")).toBe(wire.length - 5);
  });

  it("turns bare CR into CRLF and stuffs the dot after it, so a hop that ends lines at CR is safe too", () => {
    expect(_encodeData(Buffer.from("line1\r.\r\nMAIL FROM:<evil>\r\n")).toString()).toBe(
      "line1\r\n..\r\nMAIL FROM:<evil>\r\n.\r\n",
    );
    expect(_encodeData(Buffer.from("line1\r.\rMAIL FROM:<evil>\r")).toString()).toBe(
      "line1\r\n..\r\nMAIL FROM:<evil>\r\n.\r\n",
    );
  });

  it("leaves no line of the payload that is a lone dot under any line-ending reading (property)", () => {
    const piece = fc.constantFrom("a", ".", "\r", "\n", "\r\n", " ");
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 30 }), (pieces) => {
        const wire = _encodeData(Buffer.from(pieces.join(""), "latin1")).toString("latin1");
        // Only CRLF line breaks remain, and the only lone-dot line is the terminator.
        expect(wire.replace(/\r\n/g, "")).not.toMatch(/[\r\n]/);
        expect(wire.split("\r\n").filter((l) => l === ".")).toHaveLength(1);
        expect(wire.endsWith("\r\n.\r\n") || wire === ".\r\n").toBe(true);
      }),
      { seed: 5 },
    );
  });

  it("round-trips any CRLF message through a receiving server (property)", () => {
    const line = fc.stringMatching(/^[.a-z ]{0,6}$/);
    fc.assert(
      fc.property(fc.array(line, { maxLength: 12 }), (lines) => {
        const message = lines.map((l) => `${l}\r\n`).join("");
        const wire = _encodeData(Buffer.from(message, "latin1"));
        expect(`\r\n${wire.toString("latin1")}`.indexOf("\r\n.\r\n")).toBe(wire.length - 3);
        expect(receive(wire)).toBe(message);
      }),
    );
  });

  it("sends a message already in wire form as it is, without a copy, then the terminator", () => {
    const message = Buffer.from("Subject: x\r\n\r\nHello\r\n");
    const pieces = _encodeDataPieces(message);
    expect(pieces).toHaveLength(2);
    expect(pieces[0]?.buffer).toBe(message.buffer);
    expect(Buffer.concat(pieces).toString()).toBe("Subject: x\r\n\r\nHello\r\n.\r\n");
    expect(Buffer.concat(_encodeDataPieces(Buffer.from("no break at the end"))).toString()).toBe(
      "no break at the end\r\n.\r\n",
    );
    expect(Buffer.concat(_encodeDataPieces(Buffer.alloc(0))).toString()).toBe(".\r\n");
  });

  it("copies and rewrites whatever is not in wire form: bare CR or LF, a leading dot", () => {
    for (const text of ["a\nb\r\n", "a\r\nb\r", "a\rb\r\n", ".a\r\n", "a\r\n.b\r\n", "\na\r\n", "a\r\r\n"]) {
      const pieces = _encodeDataPieces(Buffer.from(text, "latin1"));
      expect(pieces, JSON.stringify(text)).toHaveLength(1);
    }
  });

  it("gives the same bytes as a line-by-line reference encoder for any input (property)", () => {
    // The reference: every CRLF, bare CR and bare LF is a line break; lines starting with "." get another.
    const reference = (text: string): string => {
      const lines = text.split(/\r\n|\r|\n/);
      const endsWithBreak = text === "" || /[\r\n]$/.test(text);
      if (endsWithBreak) lines.pop();
      return lines.map((l) => `${l.startsWith(".") ? "." : ""}${l}\r\n`).join("") + ".\r\n";
    };
    const piece = fc.constantFrom("a", "b ", ".", "\r", "\n", "\r\n", "\r\n.", "é");
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 40 }), (pieces) => {
        const text = pieces.join("");
        const bytes = Buffer.from(text, "latin1");
        expect(Buffer.concat(_encodeDataPieces(bytes)).toString("latin1")).toBe(reference(text));
        expect(_encodeData(bytes).toString("latin1")).toBe(reference(text));
      }),
      { seed: 11, numRuns: 2000 },
    );
  });
});
