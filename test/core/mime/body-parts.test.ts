import { describe, expect, it } from "vitest";
import { findBodyParts, hasAttachments } from "../../../src/core/mime/body-parts.js";
import { scanMessage, type ScannedMessage } from "../../../src/core/mime/scan-message.js";
import { buildMessage, leaf, multipart, shapes } from "../../helpers/messages.js";

function scan(raw: Uint8Array): ScannedMessage {
  const r = scanMessage(raw, { maxMimeDepth: 32, maxParts: 2000 });
  if (!r.ok) throw new Error(r.detail);
  return r.message;
}

const paths = (raw: Uint8Array): { html?: string; text?: string } => {
  const found = findBodyParts(scan(raw));
  return {
    ...(found.html ? { html: found.html.path } : {}),
    ...(found.text ? { text: found.text.path } : {}),
  };
};

describe("findBodyParts", () => {
  it("finds a single text/plain or text/html root", () => {
    expect(paths(shapes.plain())).toEqual({ text: "" });
    expect(paths(shapes.html())).toEqual({ html: "" });
  });

  it("takes the last HTML and the last plain alternative of multipart/alternative", () => {
    const raw = buildMessage(
      multipart("alternative", "a", [
        leaf(["Content-Type: text/plain"], "first"),
        leaf(["Content-Type: text/plain"], "second"),
        leaf(["Content-Type: text/html"], "<p>x</p>"),
        leaf(["Content-Type: text/calendar; method=REQUEST"], "BEGIN:VCALENDAR"),
      ]),
    );
    expect(paths(raw)).toEqual({ text: "2", html: "3" });
  });

  it("finds both bodies of mixed > alternative and skips the attachment", () => {
    expect(paths(shapes.mixedAlternative())).toEqual({ text: "1.1", html: "1.2" });
    expect(paths(shapes.mixedWithAttachment())).toEqual({ text: "1" });
  });

  it("takes the root of multipart/related, by its start parameter when given", () => {
    expect(paths(shapes.relatedWithImage())).toEqual({ html: "1" });
    const started = buildMessage(
      multipart(
        "related",
        "r",
        [
          leaf(["Content-Type: image/png", "Content-ID: <img@x>"], "AAAA"),
          leaf(["Content-Type: text/html", "Content-ID: <root@x>"], "<p>x</p>"),
        ],
        { headers: [] },
      ),
    );
    const withStart = new TextDecoder()
      .decode(started)
      .replace('boundary="r"', 'boundary="r"; start="<root@x>"');
    expect(paths(new TextEncoder().encode(withStart))).toEqual({ html: "2" });
  });

  it("finds the bodies of mixed > related > alternative and mixed > alternative > related", () => {
    const alt = multipart("alternative", "a", [
      leaf(["Content-Type: text/plain"], "t"),
      multipart("related", "r", [
        leaf(["Content-Type: text/html"], "<p>h</p>"),
        leaf(["Content-Type: image/png"], "AAAA"),
      ]),
    ]);
    expect(paths(buildMessage(multipart("mixed", "m", [alt])))).toEqual({ text: "1.1", html: "1.2.1" });
    const rel = multipart("related", "r", [
      multipart("alternative", "a", [
        leaf(["Content-Type: text/plain"], "t"),
        leaf(["Content-Type: text/html"], "<p>h</p>"),
      ]),
      leaf(["Content-Type: image/png"], "AAAA"),
    ]);
    expect(paths(buildMessage(multipart("mixed", "m", [rel])))).toEqual({ text: "1.1.1", html: "1.1.2" });
  });

  it("never returns attachments, attached messages or other text subtypes", () => {
    const raw = buildMessage(
      multipart("mixed", "m", [
        leaf(["Content-Type: text/plain", "Content-Disposition: attachment; filename=notes.txt"], "n"),
        leaf(["Content-Type: message/rfc822"], "Subject: x\n\ninner"),
        leaf(["Content-Type: text/calendar"], "BEGIN:VCALENDAR"),
      ]),
    );
    expect(paths(raw)).toEqual({});
  });
});

describe("hasAttachments", () => {
  it("is true for an attachment or an attached message and false for inline images", () => {
    expect(hasAttachments(scan(shapes.mixedWithAttachment()))).toBe(true);
    expect(hasAttachments(scan(shapes.relatedWithImage()))).toBe(false);
    expect(hasAttachments(scan(shapes.alternative()))).toBe(false);
    const fwd = buildMessage(
      multipart("mixed", "m", [
        leaf([], "see below"),
        leaf(["Content-Type: message/rfc822"], "Subject: x\n\ny"),
      ]),
    );
    expect(hasAttachments(scan(fwd))).toBe(true);
  });
});
