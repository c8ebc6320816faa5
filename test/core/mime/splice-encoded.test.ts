import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createStamper, type MailstampConfig } from "../../../src/index.js";
import { spliceQuotedPrintable } from "../../../src/core/mime/_splice-encoded.js";
import { decodeQuotedPrintable } from "../../../src/core/mime/decode.js";
import { encodeQuotedPrintable } from "../../../src/core/mime/encode.js";
import { testConfig } from "../../helpers/config.js";

const latin1 = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, "latin1"));
const text = (b: Uint8Array): string => Buffer.from(b).toString("latin1");
const longest = (s: string, eol: string): number => Math.max(...s.split(eol).map((l) => l.length));

function spliced(decoded: Uint8Array, insertions: Array<{ at: number; data: Uint8Array }>): Uint8Array {
  const out: Uint8Array[] = [];
  let pos = 0;
  for (const ins of insertions) {
    out.push(decoded.subarray(pos, ins.at), ins.data);
    pos = ins.at;
  }
  out.push(decoded.subarray(pos));
  return new Uint8Array(Buffer.concat(out));
}

describe("spliceQuotedPrintable", () => {
  it("keeps every line within 76 characters when the re-encoded window ends mid-line", () => {
    // A 100-character line is two encoded lines; a stamp in the first re-encodes only it, which then ends in a
    // soft break: the "=" must fit within the 76 characters.
    const decoded = latin1(`${"a".repeat(100)}\r\nend\r\n`);
    const encoded = latin1(encodeQuotedPrintable(decoded, "\r\n"));
    const out = spliceQuotedPrintable(encoded, decoded, [{ at: 10, data: latin1("X") }], "\r\n");
    expect(out).toBeDefined();
    expect(longest(text(out as Uint8Array), "\r\n")).toBeLessThanOrEqual(76);
    expect(text(decodeQuotedPrintable(out as Uint8Array))).toBe(
      `${"a".repeat(10)}X${"a".repeat(90)}\r\nend\r\n`,
    );
  });

  it("splices into an empty body (there is no line to keep)", async () => {
    const out = spliceQuotedPrintable(latin1(""), latin1(""), [{ at: 0, data: latin1("caf\xe9") }], "\r\n");
    expect(out && text(out)).toBe("caf=E9");
    const raw = [
      "From: Alice Example <alice@example.com>",
      "To: Bob <bob@partner.test>",
      "Subject: empty",
      "Message-ID: <empty@example.com>",
      "MIME-Version: 1.0",
      "Content-Type: text/plain; charset=utf-8",
      "Content-Transfer-Encoding: quoted-printable",
      "",
      "",
    ].join("\r\n");
    const result = await createStamper(testConfig()).stamp(raw);
    expect(result.status).toBe("stamped");
    expect(text(result.message)).toContain("Alice Example =C2=B7 Chief Financial Officer");
  });

  it("decodes to the body with the insertions, in lines of at most 76 characters (property)", () => {
    const unit = fc.constantFrom(
      "word ",
      "a",
      "=",
      " ",
      "\t",
      "\r\n",
      "\xe9",
      "x".repeat(40),
      "-",
      "F",
      "rom ",
    );
    const body = fc.array(unit, { maxLength: 60 }).map((units) => latin1(units.join("")));
    const insertion = fc.constantFrom("S", "\xe9\xe9", "<p>stamp</p>", " ", "\r\n-- \r\nAlice\r\n");
    fc.assert(
      fc.property(
        body,
        fc.array(fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), insertion), {
          minLength: 1,
          maxLength: 3,
        }),
        fc.constantFrom("\r\n", "\n" as const),
        fc.boolean(),
        (decodedCrlf, picks, eol, trailingBreak) => {
          let decoded = eol === "\n" ? latin1(text(decodedCrlf).replace(/\r\n/g, "\n")) : decodedCrlf;
          if (trailingBreak) decoded = latin1(text(decoded) + eol);
          const encoded = latin1(encodeQuotedPrintable(decoded, eol));
          const insertions = picks
            .map(([where, data]) => ({
              at: Math.floor(where * decoded.length),
              data: latin1(eol === "\n" ? data.replace(/\r\n/g, "\n") : data),
            }))
            .sort((x, y) => x.at - y.at);
          const out = spliceQuotedPrintable(encoded, decoded, insertions, eol);
          expect(out).toBeDefined();
          expect(longest(text(out as Uint8Array), eol)).toBeLessThanOrEqual(76);
          expect(text(decodeQuotedPrintable(out as Uint8Array))).toBe(text(spliced(decoded, insertions)));
        },
      ),
      { seed: 23, numRuns: 3000 },
    );
  });

  it("a stamp spliced into a quoted-printable HTML line that runs on leaves no line over 76 characters", async () => {
    // 8-bit text in the stamp (so the window goes through the byte-by-byte encoder), placed before </body> on
    // an encoded line that ends in a soft break (a comment runs on past </html>).
    const config: MailstampConfig = {
      ...testConfig(),
      templates: { standard: { html: "<p>ssss\u00e9</p>" } },
      rules: [{ name: "s", when: { recipients: "external" }, stamps: [{ template: "standard" }] }],
    };
    const html = `<html><body><p>Hi Bob, caf\u00e9</p></body></html><!-- ${"t".repeat(120)} -->`;
    const body = encodeQuotedPrintable(new TextEncoder().encode(html), "\r\n");
    const raw = [
      "From: Alice Example <alice@example.com>",
      "To: Bob <bob@partner.test>",
      "Subject: qp",
      "Message-ID: <qp@example.com>",
      "MIME-Version: 1.0",
      "Content-Type: text/html; charset=utf-8",
      "Content-Transfer-Encoding: quoted-printable",
      "",
      `${body}\r\n`,
    ].join("\r\n");
    const result = await createStamper(config).stamp(raw);
    expect(result.status).toBe("stamped");
    const out = text(result.message);
    expect(out).toContain("ssss=C3=A9");
    expect(longest(out.slice(out.indexOf("\r\n\r\n") + 4), "\r\n")).toBeLessThanOrEqual(76);
  });
});
