import { readFileSync } from "node:fs";
import PostalMime from "postal-mime";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { injectStamp, type StampInsert } from "../../../src/core/mime/inject-stamp.js";
import { findBodyParts } from "../../../src/core/mime/body-parts.js";
import { decodePartText } from "../../../src/core/mime/decode.js";
import { scanMessage } from "../../../src/core/mime/scan-message.js";
import { checkUntouchable } from "../../../src/core/mime/untouchable.js";
import { decodeHeaders } from "../../../src/core/mime/headers.js";
import { shapes } from "../../helpers/messages.js";
import { damaged } from "../../helpers/damage.js";

const LIMITS = { maxMimeDepth: 8, maxParts: 50 };
const fixture = (name: string): Uint8Array =>
  new Uint8Array(readFileSync(new URL(`../../fixtures/mime/${name}`, import.meta.url)));

const SEEDS = [
  shapes.plain(),
  shapes.html("\n"),
  shapes.alternative(),
  shapes.mixedWithAttachment("\n"),
  shapes.relatedWithImage(),
  shapes.mixedAlternative(),
  fixture("outlook-reply-mixed-crlf.eml"),
  fixture("thunderbird-flowed-lf.eml"),
];

/** Random mutations of real messages: byte flips, cut-offs, duplicated and dropped slices. */
const mutated = damaged(fc.constantFrom(...SEEDS), { maxLength: 6 });

const STAMP: StampInsert = {
  id: "s",
  html: "<p>Ünïcode €</p>",
  text: "-- \nÜnïcode €",
  placement: "under-reply",
};

describe("injectStamp properties", () => {
  it("never throws for random or mutated bytes", () => {
    fc.assert(
      fc.property(fc.oneof(mutated, fc.uint8Array({ maxLength: 300 })), (raw) => {
        const result = injectStamp(raw, [STAMP, { ...STAMP, id: "t", placement: "top" }], {
          limits: LIMITS,
          locateReply: (_kind, decoded) => ({ index: Math.floor(decoded.length / 2), pattern: "middle" }),
        });
        expect(typeof result.ok).toBe("boolean");
        const scan = scanMessage(raw, LIMITS);
        if (scan.ok)
          checkUntouchable(scan.message, decodeHeaders(scan.message.headers), {
            protected: "skip",
            calendar: "skip",
          });
      }),
      { seed: 20240102, numRuns: 500 },
    );
  });

  it("keeps the decoded text of every stamped part, with the stamp inserted at one position", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...SEEDS),
        fc.constantFrom("top", "under-reply", "bottom" as const),
        fc.string({ minLength: 1, maxLength: 40 }),
        (raw, placement, extra) => {
          const html = `<p>${extra.replace(/[<&>\r\n]/g, "")}Ω</p>`;
          const result = injectStamp(raw, [
            { id: "x", html, text: `Sig ${extra.replace(/[\r\n]/g, "")}Ω`, placement },
          ]);
          if (!result.ok) throw new Error(result.detail);
          const before = scanMessage(raw, LIMITS);
          const after = scanMessage(result.message, LIMITS);
          if (!before.ok || !after.ok) throw new Error("scan failed");
          const b = findBodyParts(before.message);
          const a = findBodyParts(after.message);
          if (b.html && a.html) {
            const original = decodePartText(before.message, b.html);
            const stamped = decodePartText(after.message, a.html);
            // A Latin-1 HTML part carries the Omega as a character reference instead of changing its charset.
            const written = stamped.includes(html) ? html : html.replace("Ω", "&#x3A9;");
            const at = stamped.indexOf(written);
            expect(at).toBeGreaterThanOrEqual(0);
            expect(stamped.slice(0, at) + stamped.slice(at + written.length)).toBe(original);
          }
          if (b.text && a.text) {
            const original = decodePartText(before.message, b.text);
            const stamped = decodePartText(after.message, a.text);
            expect(stamped.length).toBeGreaterThan(original.length);
            // Removing the one inserted run (stamp plus its separating line breaks) gives the original back.
            let p = 0;
            while (p < original.length && original[p] === stamped[p]) p++;
            let s = 0;
            while (
              s < original.length - p &&
              original[original.length - 1 - s] === stamped[stamped.length - 1 - s]
            )
              s++;
            expect(p + s).toBe(original.length);
            expect(stamped.slice(p, stamped.length - s)).toMatch(/Ω/);
          }
        },
      ),
      { seed: 7, numRuns: 150 },
    );
  });

  it("stamps an Outlook reply fixture under the reply and leaves the attachment byte-identical", async () => {
    const raw = fixture("outlook-reply-mixed-crlf.eml");
    const result = injectStamp(
      raw,
      [{ id: "sig", html: "<p>Alice · CFO</p>", text: "Alice · CFO", placement: "under-reply" }],
      {
        locateReply: (kind, decoded) => {
          const index = decoded.indexOf(kind === "text/html" ? '<div id="divRplyFwdMsg">' : "From: Bob");
          return index < 0 ? undefined : { index, pattern: "outlook" };
        },
      },
    );
    if (!result.ok) throw new Error(result.detail);
    const parsed = await PostalMime.parse(result.message);
    expect(parsed.text).toContain("numbers attached.\n\nAlice · CFO\n\nFrom: Bob");
    expect(parsed.html).toContain('<p>Alice · CFO</p><div id="divRplyFwdMsg">');
    const tail = Buffer.from(raw)
      .toString("latin1")
      .slice(
        Buffer.from(raw)
          .toString("latin1")
          .indexOf("--_004_DB7PR01MB0001examplecom_\r\nContent-Type: application"),
      );
    expect(Buffer.from(result.message).toString("latin1").endsWith(tail)).toBe(true);
  });

  it("stamps a Thunderbird format=flowed fixture without joining the stamp to the text", async () => {
    const raw = fixture("thunderbird-flowed-lf.eml");
    const result = injectStamp(raw, [{ id: "sig", html: "", text: "-- \nCarol ", placement: "bottom" }]);
    if (!result.ok) throw new Error(result.detail);
    const out = Buffer.from(result.message).toString("utf8");
    expect(out.endsWith("> Lunch tomorrow?\n\n-- \nCarol\n")).toBe(true);
    expect(out.startsWith(Buffer.from(raw).toString("utf8"))).toBe(true);
  });
});
