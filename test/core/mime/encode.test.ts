import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decodeBase64, decodeQuotedPrintable } from "../../../src/core/mime/decode.js";
import {
  _encodeQuotedPrintableWhole,
  encodeBase64,
  encodeQuotedPrintable,
  encodeQuotedPrintableBytes,
} from "../../../src/core/mime/encode.js";

const bytes = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, "latin1"));

describe("encode", () => {
  it("encodes trailing whitespace, '=' and 8-bit bytes in quoted-printable", () => {
    expect(encodeQuotedPrintable(bytes("a = b \r\n\xe9\t"), "\r\n")).toBe("a =3D b=20\r\n=E9=09");
  });

  it("escapes line-break bytes that are not the message's own line ending, so they decode unchanged", () => {
    expect(encodeQuotedPrintable(bytes("a\r\nb\nc"), "\n")).toBe("a=0D\nb\nc");
    expect(encodeQuotedPrintable(bytes("a\r\nb\nc\rd"), "\r\n")).toBe("a\r\nb=0Ac=0Dd");
  });

  it("escapes a leading '--' and 'From ' so no encoded line reads as a boundary or mbox separator", () => {
    expect(encodeQuotedPrintable(bytes("--boundary\nFrom me"), "\n")).toBe("=2D-boundary\n=46rom me");
  });

  it("round-trips any bytes through quoted-printable with lines of at most 76 characters", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400 }), fc.constantFrom("\r\n", "\n" as const), (data, eol) => {
        const encoded = encodeQuotedPrintable(data, eol);
        for (const line of encoded.split(eol)) expect(line.length).toBeLessThanOrEqual(76);
        expect(Buffer.from(decodeQuotedPrintable(bytes(encoded))).equals(Buffer.from(data))).toBe(true);
      }),
      { seed: 42, numRuns: 300 },
    );
  });

  it("copies literal lines as they are and encodes the rest exactly as byte by byte would (property)", () => {
    // Mostly ASCII lines near the 76-character limit, with each thing that ends the literal prefix: "=", DEL,
    // control characters, bare CR or LF, trailing whitespace, a leading "--" or "From ", an 8-bit byte.
    const unit = fc.oneof(
      { weight: 12, arbitrary: fc.constantFrom("word ", "Quarterly", "x", "-", "F", "rom ", "\t") },
      {
        weight: 1,
        arbitrary: fc.constantFrom("=", "\x7f", "\x00", "\x0b", "\x1b", "\r", "\n", " ", "\xe9", "--"),
      },
    );
    const line = fc.array(unit, { maxLength: 24 }).map((units) => units.join(""));
    fc.assert(
      fc.property(fc.array(line, { maxLength: 8 }), fc.constantFrom("\r\n", "\n" as const), (lines, eol) => {
        const data = bytes(lines.join(eol) + (lines.length % 2 ? eol : ""));
        const expected = _encodeQuotedPrintableWhole(data, eol);
        expect(encodeQuotedPrintable(data, eol)).toBe(expected);
        expect(Buffer.from(encodeQuotedPrintableBytes(data, eol)).toString("latin1")).toBe(expected);
      }),
      { seed: 7, numRuns: 3000 },
    );
    // Lines around the 76-character limit, at the end of the data and before a line break.
    for (const eol of ["\r\n", "\n"] as const) {
      for (let n = 73; n <= 78; n++) {
        for (const tail of ["", " ", "="]) {
          for (const data of [bytes("a".repeat(n) + tail), bytes(`${"a".repeat(n)}${tail}${eol}b`)]) {
            const expected = _encodeQuotedPrintableWhole(data, eol);
            expect(encodeQuotedPrintable(data, eol)).toBe(expected);
            expect(Buffer.from(encodeQuotedPrintableBytes(data, eol)).toString("latin1")).toBe(expected);
            for (const line of expected.split(eol)) expect(line.length).toBeLessThanOrEqual(76);
          }
        }
      }
    }
    expect(encodeQuotedPrintable(bytes(`${"a".repeat(76)}\r\nb`), "\r\n")).toBe(`${"a".repeat(76)}\r\nb`);
    // A long clean ASCII body is its own encoding, copied whole.
    const clean = bytes("Please find the figures below.\r\n".repeat(2000));
    expect(Buffer.from(encodeQuotedPrintableBytes(clean, "\r\n")).equals(Buffer.from(clean))).toBe(true);
  });

  it("gives the same octets as bytes as it does as a string", () => {
    const line = fc
      .array(fc.constantFrom("a", "F", "rom ", "-", "=", " ", "\t", "\r", "\n", "\r\n", "\xe9"), {
        maxLength: 90,
      })
      .map((units) => units.join(""));
    fc.assert(
      fc.property(fc.array(line, { maxLength: 5 }), fc.constantFrom("\r\n", "\n" as const), (lines, eol) => {
        const data = bytes(lines.join(eol));
        const asBytes = Buffer.from(encodeQuotedPrintableBytes(data, eol)).toString("latin1");
        expect(asBytes).toBe(encodeQuotedPrintable(data, eol));
      }),
      { seed: 42, numRuns: 1000 },
    );
  });

  it("round-trips base64 in 76-character lines", () => {
    const data = new Uint8Array(Array.from({ length: 200 }, (_, i) => (i * 37) & 0xff));
    const encoded = encodeBase64(data, "\n");
    expect(encoded.split("\n").map((l) => l.length)).toEqual([76, 76, 76, 40]);
    expect(Buffer.from(decodeBase64(bytes(encoded))).equals(Buffer.from(data))).toBe(true);
  });
});
