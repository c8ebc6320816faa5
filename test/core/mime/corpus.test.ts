/**
 * The real-message corpus (test/fixtures/eml, see its manifest and SOURCES.md): every message a mail server
 * may hand mailstamp is either stamped with every fidelity invariant holding, or returned byte for byte with
 * the reason the manifest names. Stamped outputs are kept as golden files so any change in bytes is reviewed.
 */
import { existsSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { createStamper, type MailstampConfig } from "../../../src/index.js";
import { attachmentDigest, checkFidelity } from "./_invariants.js";

interface Entry {
  file: string;
  category: string;
  expect: string;
}

const root = new URL("../../fixtures/eml/", import.meta.url);
const manifestUrl = new URL("manifest.json", root);
const manifest: Entry[] = existsSync(manifestUrl)
  ? (JSON.parse(readFileSync(manifestUrl, "utf8")) as Entry[])
  : [];

/** Every message gets a non-ASCII signature under the reply and an ASCII/Latin-1 disclaimer at the bottom. */
export const CORPUS_CONFIG: MailstampConfig = {
  organization: { name: "Example Corp", domains: ["example.com"] },
  templates: {
    sig: {
      html: "<p><b>Stamp €</b> · {{ org.name }}</p>",
      text: "-- \nStamp € · {{ org.name }}",
    },
    legal: { html: '<p style="font-size:10px">Confidential · Vertraulich</p>' },
  },
  rules: [
    {
      name: "every message",
      stamps: [
        { template: "sig", placement: "under-reply" },
        { template: "legal", placement: "bottom" },
      ],
    },
  ],
};

/**
 * Where mailstamp deliberately decides differently from the manifest's first guess, with the reason. The
 * manifest records what its collector expected; these are the reviewed outcomes.
 */
const OVERRIDES: Record<string, { expect: string; why: string }> = {
  "malformed/mime4j-mixed-newlines.eml": {
    expect: "skip:unparseable",
    why: "bare CRs in the header block: mime4j reads an LF CR separator and a body, postal-mime reads every line as a header; a body that parsers cannot agree on is not stamped",
  },
  "mixed/cpython-msg_44-named-text-parts.eml": {
    expect: "skip:no-body",
    why: "both text parts carry a file name (Content-Type name=msg.txt), which Outlook shows as attachments; issue #3 item 2: never a part with a filename",
  },
};

const clock = () => new Date("2026-11-02T10:00:00Z");
const stamper = createStamper(CORPUS_CONFIG, { clock });
const OPTIONS = {
  markerName: "X-Mailstamp",
  htmlNeedles: ['class="mailstamp"'],
  textNeedles: ["Stamp", "Confidential"],
};

describe("the eml corpus", () => {
  it("has at least 60 messages covering every category of issue #3", () => {
    expect(manifest.length).toBeGreaterThanOrEqual(60);
  });

  for (const entry of manifest) {
    const [outcome, reason] = (OVERRIDES[entry.file]?.expect ?? entry.expect).split(":");
    const raw = (): Uint8Array => new Uint8Array(readFileSync(new URL(entry.file, root)));

    if (outcome === "skip") {
      it(`returns ${entry.file} untouched as ${reason}`, async () => {
        const input = raw();
        const result = await stamper.stamp(input);
        expect({ status: result.status, reason: result.reason }).toEqual({ status: "skipped", reason });
        expect(Buffer.from(result.message).equals(Buffer.from(input))).toBe(true);
      });
      continue;
    }

    it(`stamps ${entry.file} and keeps every other byte`, async () => {
      const input = raw();
      const result = await stamper.stamp(input);
      expect({ status: result.status, reason: result.reason, detail: result.detail }).toMatchObject({
        status: "stamped",
      });
      expect(checkFidelity(input, result.message, OPTIONS)).toEqual([]);
      expect(await attachmentDigest(result.message)).toEqual(await attachmentDigest(input));

      const again = await stamper.stamp(result.message);
      expect(again.reason).toBe("already-stamped");
      expect(Buffer.from(again.message).equals(Buffer.from(result.message))).toBe(true);

      await expect(Buffer.from(result.message).toString("latin1")).toMatchFileSnapshot(
        `../../fixtures/eml-golden/${entry.file}`,
      );
    });
  }
});
