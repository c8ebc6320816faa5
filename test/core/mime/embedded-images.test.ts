/**
 * Embedded images (issue #3 item 6): a stamp's `cid:` images become inline parts — appended to the HTML
 * body's multipart/related, or in a new multipart/related around the HTML part — once per message.
 */
import { readFileSync } from "node:fs";
import PostalMime from "postal-mime";
import { describe, expect, it } from "vitest";
import { injectStamp, type StampInsert } from "../../../src/core/mime/inject-stamp.js";
import { scanMessage, type MimeNode, type ScannedMessage } from "../../../src/core/mime/scan-message.js";
import type { EmbeddedImage } from "../../../src/core/render/render-template.js";
import { createStamper, type DirectoryUser, type MailstampConfig } from "../../../src/index.js";
import { shapes, text, PNG_1PX, type Eol } from "../../helpers/messages.js";
import { attachmentDigest, checkFidelity } from "./_invariants.js";

const LIMITS = { maxMimeDepth: 64, maxParts: 5000 };
const LOGO: EmbeddedImage = {
  name: "logo",
  cid: "logo.0123456789ab@mailstamp",
  contentType: "image/png",
  data: new Uint8Array(Buffer.from(PNG_1PX, "base64")),
  filename: "logo.png",
};
const SIG: StampInsert = {
  id: "sig",
  html: `<div class="mailstamp"><img src="cid:${LOGO.cid}"> Alice</div>`,
  text: "Alice STAMP",
  placement: "under-reply",
  images: [LOGO],
};
const LEGAL: StampInsert = {
  id: "legal",
  html: `<div class="mailstamp"><img src="cid:${LOGO.cid}"> Confidential</div>`,
  text: "Confidential STAMP",
  placement: "bottom",
  images: [LOGO],
};
const OPTIONS = {
  markerName: "X-Mailstamp",
  htmlNeedles: ['class="mailstamp"'],
  textNeedles: ["STAMP"],
  images: [LOGO.cid],
};
const MARKER = { name: "X-Mailstamp", value: "v=1" };

function scan(raw: Uint8Array): ScannedMessage {
  const r = scanMessage(raw, LIMITS);
  if (!r.ok) throw new Error(r.detail);
  return r.message;
}

function stamp(raw: Uint8Array, inserts: StampInsert[] = [SIG]): Uint8Array {
  const r = injectStamp(raw, inserts, { marker: MARKER, limits: LIMITS });
  if (!r.ok) throw new Error(`${r.reason}: ${r.detail}`);
  return r.message;
}

function imageParts(node: MimeNode): MimeNode[] {
  const own = node.headers.some((f) => /^content-id$/i.test(f.name) && f.value.includes(LOGO.cid))
    ? [node]
    : [];
  return [...own, ...node.children.flatMap(imageParts)];
}

describe("embedded images", () => {
  it("appends the image to the HTML body's own multipart/related, before its close delimiter", () => {
    const raw = shapes.relatedWithImage();
    const out = stamp(raw);
    const msg = scan(out);
    expect(msg.root.contentType.mime).toBe("multipart/related");
    expect(msg.root.children.map((c) => c.contentType.mime)).toEqual(["text/html", "image/png", "image/png"]);
    expect(text(out)).toMatch(
      /Content-ID: <logo\.0123456789ab@mailstamp>\r\nContent-Disposition: inline;\r\n filename="logo\.png"\r\n\r\niVBOR[A-Za-z0-9+/=\r\n]+\r\n--rel-1--\r\n$/,
    );
    expect(checkFidelity(raw, out, OPTIONS)).toEqual([]);
  });

  it("wraps an HTML alternative in a new multipart/related that holds the HTML part and the image", async () => {
    const raw = shapes.alternative();
    const out = stamp(raw);
    const msg = scan(out);
    const related = msg.root.children[1] as MimeNode;
    expect(related.contentType.mime).toBe("multipart/related");
    expect(related.contentType.params.type).toBe("text/html");
    expect(related.children.map((c) => c.contentType.mime)).toEqual(["text/html", "image/png"]);
    // The boundary is new: it occurs nowhere in the original message.
    expect(text(raw)).not.toContain(related.boundary);
    expect(checkFidelity(raw, out, OPTIONS)).toEqual([]);
    const parsed = await PostalMime.parse(out);
    expect(parsed.html).toContain(`cid:${LOGO.cid}`);
    expect(parsed.text).toContain("Alice STAMP");
    expect(parsed.attachments).toHaveLength(1);
    expect(parsed.attachments[0]).toMatchObject({
      contentId: `<${LOGO.cid}>`,
      related: true,
      mimeType: "image/png",
    });
  });

  it("turns a single-part HTML message into multipart/related and keeps its other header fields", async () => {
    for (const eol of ["\r\n", "\n"] as Eol[]) {
      const raw = shapes.html(eol);
      const out = stamp(raw);
      const msg = scan(out);
      expect(msg.root.contentType.mime).toBe("multipart/related");
      expect(msg.root.children.map((c) => c.contentType.mime)).toEqual(["text/html", "image/png"]);
      expect(checkFidelity(raw, out, OPTIONS)).toEqual([]);
      if (eol === "\n") expect(text(out)).not.toContain("\r");
      const parsed = await PostalMime.parse(out);
      expect(parsed.subject).toBe("Quarterly numbers");
      expect(parsed.html).toContain("Hello Bob");
      expect(parsed.attachments.map((a) => a.contentId)).toEqual([`<${LOGO.cid}>`]);
    }
  });

  it("adds an image used by several stamps once", () => {
    const out = stamp(shapes.alternative(), [SIG, LEGAL]);
    expect(imageParts(scan(out).root)).toHaveLength(1);
    expect(checkFidelity(shapes.alternative(), out, OPTIONS)).toEqual([]);
  });

  it("adds no image part to a text-only message", () => {
    const raw = shapes.plain();
    const withImages = stamp(raw, [SIG]);
    const without = stamp(raw, [{ ...SIG, images: [] }]);
    expect(text(withImages)).toBe(text(without));
    expect(imageParts(scan(withImages).root)).toHaveLength(0);
  });

  it("adds no image part when the stamp has no HTML", () => {
    const out = stamp(shapes.alternative(), [{ ...SIG, html: "" }]);
    expect(imageParts(scan(out).root)).toHaveLength(0);
  });

  it("writes a non-ASCII file name as an RFC 2231 parameter", () => {
    const out = stamp(shapes.alternative(), [{ ...SIG, images: [{ ...LOGO, filename: 'Lögo "1".png' }] }]);
    expect(text(out)).toContain("filename*=utf-8''L%C3%B6go%20%221%22.png");
  });

  it("refuses an image whose Content-ID would break out of its header (misuse)", () => {
    expect(() =>
      stamp(shapes.alternative(), [{ ...SIG, images: [{ ...LOGO, cid: "a>\r\nBcc: x@y" }] }]),
    ).toThrow(/cid must be printable ASCII/);
    expect(() =>
      stamp(shapes.alternative(), [{ ...SIG, images: [{ ...LOGO, contentType: "png" }] }]),
    ).toThrow(/contentType/);
  });

  it("embeds the directory photo through the stamper, once, and stays idempotent", async () => {
    const photo = { data: LOGO.data, contentType: "image/png" };
    const user: DirectoryUser = { mail: "alice@example.com", displayName: "Alice", groups: [], photo };
    const config: MailstampConfig = {
      organization: { name: "Example Corp", domains: ["example.com"] },
      templates: {
        sig: { html: '<p><img src="{{ images.photo }}" alt=""> {{ user.displayName }}</p>' },
        legal: { html: '<p><img src="{{ images.photo }}" alt=""> Confidential</p>' },
      },
      rules: [{ name: "all", stamps: [{ template: "sig" }, { template: "legal", placement: "bottom" }] }],
    };
    const stamper = createStamper(config, { directory: { lookup: async () => user } });
    const raw = shapes.mixedAlternative();
    const result = await stamper.stamp(raw);
    expect(result.status).toBe("stamped");
    const parts = imageParts(scan(result.message).root);
    expect(parts).toHaveLength(0); // the photo's cid is derived from its bytes, not LOGO's
    const parsed = await PostalMime.parse(result.message);
    const inline = parsed.attachments.filter((a) => a.related);
    expect(inline).toHaveLength(1);
    expect(inline[0]?.mimeType).toBe("image/png");
    expect(parsed.html).toContain(`cid:${inline[0]?.contentId?.replace(/[<>]/g, "")}`);
    expect((await stamper.stamp(result.message)).reason).toBe("already-stamped");
  });
});

/** The corpus messages with an HTML body, each stamped with an embedded logo. */
describe("embedded images across the eml corpus", () => {
  const root = new URL("../../fixtures/eml/", import.meta.url);
  const manifest = JSON.parse(readFileSync(new URL("manifest.json", root), "utf8")) as Array<{
    file: string;
    expect: string;
  }>;
  const stamper = createStamper(
    {
      organization: { name: "Example Corp", domains: ["example.com"] },
      // The envelope sender picks the user, so messages without a From header get the photo too.
      sender: "envelope",
      templates: {
        sig: { html: '<p><img src="{{ images.photo }}"> STAMP</p>', text: "STAMP" },
        legal: { html: '<p><img src="{{ images.photo }}"> STAMP legal</p>', text: "STAMP legal" },
      },
      rules: [{ name: "all", stamps: [{ template: "sig" }, { template: "legal", placement: "bottom" }] }],
    },
    {
      directory: {
        lookup: async () => ({
          mail: "a@example.com",
          groups: [],
          photo: { data: LOGO.data, contentType: "image/png" },
        }),
      },
    },
  );

  it("adds the logo once next to every stamped HTML body, and nothing else changes", async () => {
    let withHtml = 0;
    for (const entry of manifest.filter((e) => e.expect === "stamp")) {
      const input = new Uint8Array(readFileSync(new URL(entry.file, root)));
      const result = await stamper.stamp(input, { envelope: { mailFrom: "a@example.com" } });
      if (result.status !== "stamped") continue;
      const parsed = await PostalMime.parse(result.message);
      // A message without a From address has no directory user, so no photo: the stamp has no image then.
      const htmlStamped =
        result.stamps.some((s) => s.parts.includes("text/html")) &&
        parsed.html?.includes("cid:photo.") === true;
      const cids = parsed.attachments.map((a) => a.contentId).filter((c) => c?.includes("@mailstamp"));
      expect({ file: entry.file, cids: cids.length }).toEqual({
        file: entry.file,
        cids: htmlStamped ? 1 : 0,
      });
      const cid = cids[0]?.replace(/[<>]/g, "");
      const problems = checkFidelity(input, result.message, {
        ...OPTIONS,
        htmlNeedles: ["STAMP"],
        images: cid ? [cid] : [],
      });
      expect({ file: entry.file, problems }).toEqual({ file: entry.file, problems: [] });
      const before = await attachmentDigest(input);
      const after = await attachmentDigest(result.message);
      expect({ file: entry.file, after: after.filter((a) => !a.includes("@mailstamp")) }).toEqual({
        file: entry.file,
        after: before,
      });
      if (htmlStamped) withHtml++;
    }
    expect(withHtml).toBeGreaterThanOrEqual(10);
  });
});
