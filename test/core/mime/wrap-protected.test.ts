/**
 * `protected: wrap` (SPEC §6): a signed or encrypted message is attached untouched as message/rfc822 under a
 * new stamped body; the outer message keeps the original's header fields except the MIME ones.
 */
import { readFileSync } from "node:fs";
import PostalMime from "postal-mime";
import { describe, expect, it } from "vitest";
import { findBodyParts } from "../../../src/core/mime/body-parts.js";
import { decodePartText } from "../../../src/core/mime/decode.js";
import { scanMessage, type MimeNode, type ScannedMessage } from "../../../src/core/mime/scan-message.js";
import { wrapProtectedMessage } from "../../../src/core/mime/wrap-protected.js";
import { createStamper, type MailstampConfig } from "../../../src/index.js";
import { buildMessage, leaf, multipart, shapes, text, PNG_1PX, type Eol } from "../../helpers/messages.js";

const LIMITS = { maxMimeDepth: 32, maxParts: 2000 };
const CONFIG: MailstampConfig = {
  organization: { name: "Example Corp", domains: ["example.com"] },
  templates: {
    banner: { html: "<p>EXTERNAL banner</p>", text: "EXTERNAL banner" },
    sig: { html: "<p><b>Alice Example</b> · CFO</p>", text: "Alice Example · CFO" },
    legal: { html: "<p>Confidential.</p>", text: "Confidential." },
  },
  rules: [
    {
      name: "all",
      stamps: [
        { template: "legal", placement: "bottom" },
        { template: "sig", placement: "under-reply" },
        { template: "banner", placement: "top" },
      ],
    },
  ],
  options: { protected: "wrap", marker: { header: "X-Mailstamp", secret: "s3cret" } },
};
const stamper = createStamper(CONFIG, { clock: () => new Date("2026-11-02T10:00:00Z") });

function scan(raw: Uint8Array): ScannedMessage {
  const r = scanMessage(raw, LIMITS);
  if (!r.ok) throw new Error(r.detail);
  return r.message;
}

/** The original's header fields other than Content-* and MIME-Version, as bytes, in order. */
function keptFields(msg: ScannedMessage): string[] {
  return msg.headers
    .filter((f) => !/^(content-|mime-version$)/i.test(f.name) && !/^x-mailstamp$/i.test(f.name))
    .map((f) => text(msg.raw.subarray(f.start, f.end)));
}

function attached(msg: ScannedMessage): MimeNode {
  const part = msg.root.children[1];
  if (!part) throw new Error("no second part");
  return part;
}

const smime = (): Uint8Array =>
  new Uint8Array(
    readFileSync(new URL("../../fixtures/eml/smime/flanker-m2crypto-signed-uppercase.eml", import.meta.url)),
  );

describe("protected: wrap", () => {
  it("attaches a signed message byte for byte as message/rfc822 under a stamped body", async () => {
    const raw = smime();
    const result = await stamper.stamp(raw);
    expect(result.status).toBe("stamped");
    expect(result.reason).toBeUndefined();
    expect(result.stamps.map((s) => [s.template, s.parts])).toEqual([
      ["legal", ["text/html", "text/plain"]],
      ["sig", ["text/html", "text/plain"]],
      ["banner", ["text/html", "text/plain"]],
    ]);
    const out = scan(result.message);
    expect(text(result.message)).toMatch(/^X-Mailstamp: v=1; h=[\w-]+\r?\nFrom: sender@example\.dom\r?\n/);
    expect(keptFields(out)).toEqual(keptFields(scan(raw)));
    expect(out.root.contentType.mime).toBe("multipart/mixed");
    const original = attached(out);
    expect(original.contentType.mime).toBe("message/rfc822");
    expect(original.disposition).toEqual({ value: "attachment", params: { filename: "original.eml" } });
    expect(Buffer.from(out.raw.subarray(original.bodyStart, original.bodyEnd)).equals(Buffer.from(raw))).toBe(
      true,
    );
    // The fresh boundary occurs nowhere in the original.
    expect(text(raw)).not.toContain(out.root.boundary);

    const parsed = await PostalMime.parse(result.message);
    expect(parsed.subject).toBe("M2Crypto S/MIME testing");
    expect(parsed.text?.trimEnd()).toBe(
      "EXTERNAL banner\n\nThis message was signed or encrypted by its sender. It is attached unchanged as original.eml.\n\nAlice Example · CFO\n\nConfidential.",
    );
    expect(parsed.html).toMatch(
      /<body><div class="mailstamp" data-mailstamp="banner"><p>EXTERNAL banner<\/p><\/div><p>This message was signed or encrypted by its sender\. It is attached unchanged as original\.eml\.<\/p><div class="mailstamp" data-mailstamp="sig">.*Alice Example.*<div class="mailstamp" data-mailstamp="legal">/s,
    );
  });

  it("is idempotent: the wrapped message carries the marker", async () => {
    const once = await stamper.stamp(smime());
    const twice = await stamper.stamp(once.message);
    expect(twice.reason).toBe("already-stamped");
    expect(Buffer.from(twice.message).equals(Buffer.from(once.message))).toBe(true);
  });

  it("wraps encrypted mail it cannot read, and keeps LF line endings", async () => {
    for (const eol of ["\r\n", "\n"] as Eol[]) {
      const raw = buildMessage(
        multipart("encrypted", "enc-1", [
          leaf(["Content-Type: application/pgp-encrypted"], "Version: 1\n"),
          leaf(
            ['Content-Type: application/octet-stream; name="encrypted.asc"'],
            "-----BEGIN PGP MESSAGE-----\n\nhQEMA1\n-----END PGP MESSAGE-----\n",
          ),
        ]),
        { eol },
      );
      const result = await stamper.stamp(raw);
      expect(result.status).toBe("stamped");
      const out = scan(result.message);
      expect(out.lineEnding).toBe(eol);
      if (eol === "\n") expect(text(result.message)).not.toContain("\r");
      const original = attached(out);
      expect(
        Buffer.from(out.raw.subarray(original.bodyStart, original.bodyEnd)).equals(Buffer.from(raw)),
      ).toBe(true);
      const body = findBodyParts(out);
      expect(decodePartText(out, body.text as MimeNode)).toContain(`Confidential.${eol}`);
    }
  });

  it("removes a forged marker from the outer message but not from the attached original", async () => {
    const signed = text(shapes.signed());
    const forged = new Uint8Array(Buffer.from(`X-Mailstamp: v=1; h=forged\r\n${signed}`, "latin1"));
    const result = await stamper.stamp(forged);
    expect(result.status).toBe("stamped");
    const out = scan(result.message);
    expect(out.headers.filter((f) => /^x-mailstamp$/i.test(f.name))).toHaveLength(1);
    expect(text(result.message).split("This is a MIME message")[0]).not.toContain("h=forged");
    const original = attached(out);
    expect(
      Buffer.from(out.raw.subarray(original.bodyStart, original.bodyEnd)).equals(Buffer.from(forged)),
    ).toBe(true);
  });

  it("picks another boundary when the first choice occurs in the original", () => {
    // The boundary seed is the first 4 KiB: text after it can contain the first choice without changing it.
    const filler = "x".repeat(70);
    const body = `${Array.from({ length: 80 }, () => filler).join("\n")}\n`;
    const build = (tail: string): Uint8Array =>
      buildMessage(
        multipart("signed", "s1", [
          leaf(["Content-Type: text/plain"], body + tail),
          leaf(["Content-Type: application/pkcs7-signature"], "MIIB"),
        ]),
      );
    const wrap = (raw: Uint8Array): string => {
      const r = wrapProtectedMessage(scan(raw), []);
      if (!r.ok) throw new Error(r.detail);
      return scan(r.message).root.boundary as string;
    };
    const first = wrap(build(""));
    const second = wrap(build(`--${first}\n`));
    expect(second).not.toBe(first);
    expect(text(build(`--${first}\n`))).not.toContain(second);
  });

  it("declares 8bit for an original with 8-bit bytes (message/rfc822 takes no base64)", () => {
    const raw = buildMessage(
      multipart("signed", "s2", [
        leaf(["Content-Type: text/plain; charset=utf-8", "Content-Transfer-Encoding: 8bit"], "Grüße\n"),
        leaf(["Content-Type: application/pkcs7-signature"], "MIIB"),
      ]),
    );
    const r = wrapProtectedMessage(scan(raw), []);
    if (!r.ok) throw new Error(r.detail);
    const original = attached(scan(r.message));
    expect(original.transferEncoding).toBe("8bit");
    expect(
      Buffer.from(r.message.subarray(original.bodyStart, original.bodyEnd)).equals(Buffer.from(raw)),
    ).toBe(true);
  });

  it("puts embedded images into a multipart/related around the new HTML body", () => {
    const logo = {
      name: "logo",
      cid: "logo.1@mailstamp",
      contentType: "image/png",
      data: new Uint8Array(Buffer.from(PNG_1PX, "base64")),
      filename: "logo.png",
    };
    const ins = {
      id: "sig",
      html: '<img src="cid:logo.1@mailstamp">',
      text: "Sig",
      placement: "bottom" as const,
    };
    const r = wrapProtectedMessage(scan(shapes.signed()), [
      { ...ins, images: [logo] },
      { ...ins, id: "legal", images: [logo] },
    ]);
    if (!r.ok) throw new Error(r.detail);
    const out = scan(r.message);
    const alternative = out.root.children[0] as MimeNode;
    const related = alternative.children[1] as MimeNode;
    expect(related.contentType.mime).toBe("multipart/related");
    expect(related.children.map((c) => c.contentType.mime)).toEqual(["text/html", "image/png"]);
  });

  for (const file of [
    "smime/flanker-m2crypto-signed-uppercase.eml",
    "smime/mail-apple-smime-signed-inline-image.eml",
  ]) {
    it(`wraps the corpus message ${file} (golden output)`, async () => {
      const raw = new Uint8Array(readFileSync(new URL(`../../fixtures/eml/${file}`, import.meta.url)));
      const result = await stamper.stamp(raw);
      expect(result.status).toBe("stamped");
      const out = scan(result.message);
      expect(keptFields(out)).toEqual(keptFields(scan(raw)));
      // An mbox "From " line is not part of the message: it stays the outer message's first line.
      const message = raw.subarray(scan(raw).headers[0]?.start ?? 0);
      const original = attached(out);
      expect(
        Buffer.from(out.raw.subarray(original.bodyStart, original.bodyEnd)).equals(Buffer.from(message)),
      ).toBe(true);
      if (message.length !== raw.length) expect(text(result.message)).toMatch(/^From jamis@37signals\.com /);
      await expect(text(result.message)).toMatchFileSnapshot(`../../fixtures/eml-golden/wrap/${file}`);
    });
  }

  it("keeps skip and reject as they were", async () => {
    const skip = createStamper({ ...CONFIG, options: { protected: "skip" } });
    const reject = createStamper({ ...CONFIG, options: { protected: "reject" } });
    const raw = smime();
    const skipped = await skip.stamp(raw);
    expect([skipped.status, skipped.reason]).toEqual(["skipped", "protected"]);
    expect(Buffer.from(skipped.message).equals(Buffer.from(raw))).toBe(true);
    expect((await reject.stamp(raw)).status).toBe("rejected");
  });
});
