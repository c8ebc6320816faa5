import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { _encodeData } from "../../../src/adapters/smtp/_wire.js";

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
});
