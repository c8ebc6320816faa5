import { describe, expect, it } from "vitest";
import { decodeHeaders, getHeader } from "../../../src/core/mime/headers.js";
import { scanMessage } from "../../../src/core/mime/scan-message.js";
import { latin1 } from "../../helpers/messages.js";

describe("headers", () => {
  const raw = latin1(
    "Subject: =?utf-8?q?Gr=C3=BC=C3=9Fe?=\r\nX-Tag: a\r\nx-tag: b\r\nFrom: =?bogus\r\n\r\nx",
  );
  const scan = scanMessage(raw, { maxMimeDepth: 4, maxParts: 4 });
  if (!scan.ok) throw new Error(scan.detail);

  it("decodes RFC 2047 words and keeps every value of a repeated field in order", () => {
    const map = decodeHeaders(scan.message.headers);
    expect(map.get("subject")).toEqual(["Grüße"]);
    expect(map.get("x-tag")).toEqual(["a", "b"]);
    expect(map.get("from")).toEqual(["=?bogus"]);
  });

  it("returns the first raw value case-insensitively", () => {
    expect(getHeader(scan.message.headers, "X-TAG")).toBe("a");
    expect(getHeader(scan.message.headers, "subject")).toBe("=?utf-8?q?Gr=C3=BC=C3=9Fe?=");
    expect(getHeader(scan.message.headers, "cc")).toBeUndefined();
  });
});
