/**
 * Apple Mail split bodies (SPEC §4): a body written as several inline parts around inline images gets each
 * stamp once, in the part at the visual position its placement names.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { findBodyParts } from "../../../src/core/mime/body-parts.js";
import { decodePartText } from "../../../src/core/mime/decode.js";
import { injectStamp, type StampInsert } from "../../../src/core/mime/inject-stamp.js";
import { scanMessage, type ScannedMessage } from "../../../src/core/mime/scan-message.js";
import { buildMessage, leaf, multipart, shapes, PNG_1PX } from "../../helpers/messages.js";
import { checkFidelity } from "./_invariants.js";

const LIMITS = { maxMimeDepth: 32, maxParts: 2000 };
const insert = (id: string, placement: StampInsert["placement"]): StampInsert => ({
  id,
  html: `<p class="mailstamp">${id.toUpperCase()}</p>`,
  text: `${id.toUpperCase()} STAMP`,
  placement,
});
const MARKER = { name: "X-Mailstamp", value: "v=1" };

function scan(raw: Uint8Array): ScannedMessage {
  const r = scanMessage(raw, LIMITS);
  if (!r.ok) throw new Error(r.detail);
  return r.message;
}

function stamp(raw: Uint8Array, inserts: StampInsert[], locate = false): Uint8Array {
  const r = injectStamp(raw, inserts, {
    marker: MARKER,
    ...(locate
      ? {
          locateReply: (_kind: string, decoded: string) => {
            const at = decoded.indexOf("<blockquote");
            return at < 0 ? undefined : { index: at, pattern: "blockquote:cite" };
          },
        }
      : {}),
  });
  if (!r.ok) throw new Error(`${r.reason}: ${r.detail}`);
  return r.message;
}

/** The decoded pieces of the HTML and text body, in display order. */
function pieces(raw: Uint8Array): { html: string[]; text: string[] } {
  const msg = scan(raw);
  const body = findBodyParts(msg);
  const html = body.htmlParts ?? (body.html ? [body.html] : []);
  const text = body.textParts ?? (body.text ? [body.text] : []);
  return { html: html.map((n) => decodePartText(msg, n)), text: text.map((n) => decodePartText(msg, n)) };
}

const count = (s: string, needle: string): number => s.split(needle).length - 1;

describe("Apple Mail split bodies", () => {
  it("lists every inline HTML piece of a body split around an image", () => {
    const body = findBodyParts(scan(shapes.appleSplitHtml()));
    expect(body.htmlParts?.map((n) => n.path)).toEqual(["2.1", "2.3"]);
    expect(body.html?.path).toBe("2.1");
    expect(body.text?.path).toBe("1");
    expect(body.textParts).toBeUndefined();
  });

  it("puts a bottom stamp once, after the picture, in the last HTML piece", () => {
    const out = stamp(shapes.appleSplitHtml(), [insert("legal", "bottom")]);
    const { html, text } = pieces(out);
    expect(count(html.join(""), "LEGAL")).toBe(1);
    expect(html[1]).toMatch(/Nice, isn't it\?<\/div><p class="mailstamp">LEGAL<\/p><\/body>/);
    expect(text[0]).toMatch(/Nice, isn't it\?\r\n\r\nLEGAL STAMP\r\n$/);
    expect(
      checkFidelity(shapes.appleSplitHtml(), out, {
        markerName: "X-Mailstamp",
        htmlNeedles: ["mailstamp"],
        textNeedles: ["STAMP"],
      }),
    ).toEqual([]);
  });

  it("puts a top stamp once, above the text, in the first piece", () => {
    const out = stamp(shapes.appleSplitHtml(), [insert("banner", "top"), insert("legal", "bottom")]);
    const { html } = pieces(out);
    expect(html[0]).toContain('<body><p class="mailstamp">BANNER</p><div>Look at this:');
    expect(count(html.join(""), "BANNER")).toBe(1);
    expect(count(html.join(""), "LEGAL")).toBe(1);
    expect(html[1]).toContain("LEGAL");
  });

  it("puts an under-reply stamp at the reply boundary of the piece that holds the quote", () => {
    const reply = buildMessage(
      multipart("mixed", "Apple-Mail-9", [
        leaf(
          ["Content-Type: text/html; charset=us-ascii"],
          "<html><body><div>See the photo:</div></body></html>",
        ),
        leaf(["Content-Type: image/png", "Content-Disposition: inline; filename=a.png"], PNG_1PX),
        leaf(
          ["Content-Type: text/html; charset=us-ascii"],
          "<html><body><div>Thanks!</div><blockquote type=cite>Old</blockquote></body></html>",
        ),
        leaf(["Content-Type: image/png", "Content-Disposition: inline; filename=b.png"], PNG_1PX),
        leaf(["Content-Type: text/html; charset=us-ascii"], "<html><body><br></body></html>"),
      ]),
    );
    const out = stamp(reply, [insert("sig", "under-reply")], true);
    const { html } = pieces(out);
    expect(html[1]).toContain('Thanks!</div><p class="mailstamp">SIG</p><blockquote');
    expect(count(html.join(""), "SIG")).toBe(1);
  });

  it("puts an under-reply stamp of a new split message at the end of its last piece", () => {
    const out = stamp(shapes.appleSplitText(), [insert("sig", "under-reply")], true);
    const { text } = pieces(out);
    expect(text).toHaveLength(2);
    expect(text[0]).toBe("Look at this:\r\n");
    expect(text[1]).toBe("\r\nNice, isn't it?\r\n\r\nSIG STAMP\r\n");
  });

  it("keeps the pieces of a plain-text split body in LF messages in LF", () => {
    const out = stamp(shapes.appleSplitText("\n"), [insert("banner", "top"), insert("legal", "bottom")]);
    const { text } = pieces(out);
    expect(text[0]).toBe("BANNER STAMP\n\nLook at this:\n");
    expect(text[1]).toBe("\nNice, isn't it?\n\nLEGAL STAMP\n");
  });

  it("treats several text parts without an inline image as a body and its footer, not a split", () => {
    const listMail = buildMessage(
      multipart("mixed", "m", [
        leaf(["Content-Type: text/plain"], "Body\n"),
        leaf(["Content-Type: text/plain"], "-- list footer\n"),
      ]),
    );
    const body = findBodyParts(scan(listMail));
    expect(body.textParts).toBeUndefined();
    expect(body.text?.path).toBe("1");
  });

  it("stamps the Apple Mail corpus message after the picture", () => {
    const raw = new Uint8Array(
      readFileSync(new URL("../../fixtures/eml/apple/mail-image-in-the-middle.eml", import.meta.url)),
    );
    const out = stamp(raw, [insert("legal", "bottom")]);
    const { html, text } = pieces(out);
    expect(html).toHaveLength(2);
    expect(html[0]).not.toContain("LEGAL");
    expect(html[1]).toMatch(
      /fonts!<\/b><\/span><\/font><\/font><\/div><p class="mailstamp">LEGAL<\/p><\/body>/,
    );
    expect(count(text.join(""), "LEGAL STAMP")).toBe(1);
  });
});
