import { describe, expect, it } from "vitest";
import {
  decodeBase64,
  decodeCharset,
  decodePartText,
  decodeQuotedPrintable,
} from "../../../src/core/mime/decode.js";
import { scanMessage } from "../../../src/core/mime/scan-message.js";
import { latin1 } from "../../helpers/messages.js";

const str = (b: Uint8Array): string => Buffer.from(b).toString("latin1");

describe("decode", () => {
  it("decodes base64 leniently across line breaks, junk and missing padding", () => {
    expect(str(decodeBase64(latin1("SGVs\r\nbG8g*V29y bGQ")))).toBe("Hello World");
  });

  it("ends a group at mid-stream padding, as mailers that encode each line on its own write it", () => {
    expect(str(decodeBase64(latin1("SGVsbG8=\r\nIHdvcmxk\r\n")))).toBe("Hello world");
    expect(str(decodeBase64(latin1("SGk=SGk=")))).toBe("HiHi");
    expect(str(decodeBase64(latin1("SGVsbG8gd29ybGQ=\r\nQUJD\r\n")))).toBe("Hello worldABC");
  });

  it("decodes quoted-printable soft breaks and escapes and keeps an invalid escape literally", () => {
    expect(str(decodeQuotedPrintable(latin1("caf=E9 =3D ok=\r\nnext =ZZ\r\nline")))).toBe(
      "caf\xe9 = oknext =ZZ\r\nline",
    );
  });

  it("decodes charsets TextDecoder lacks, like UTF-7, through iconv-lite", () => {
    expect(decodeCharset(latin1("Hi +AOk-"), "UTF-7")).toBe("Hi é");
    expect(decodeCharset(latin1("\xe9"), '"ISO-8859-1"')).toBe("é");
  });

  it("decodes a part's transfer encoding and charset together", () => {
    const raw = latin1(
      "Content-Type: text/plain; charset=iso-8859-15\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n=A4 5",
    );
    const scan = scanMessage(raw, { maxMimeDepth: 4, maxParts: 4 });
    if (!scan.ok) throw new Error(scan.detail);
    expect(decodePartText(scan.message, scan.message.root)).toBe("€ 5");
  });
});
