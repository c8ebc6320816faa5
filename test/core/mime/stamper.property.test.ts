/**
 * Property tests through the whole pipeline (createStamper with a test config) over generated and mutated
 * messages: the fidelity invariants, idempotence, "never throws", and unchanged attachments as postal-mime
 * sees them. Fixed seeds, so CI runs the same few thousand cases every time.
 */
import iconv from "iconv-lite";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createStamper, type MailstampConfig } from "../../../src/index.js";
import { buildMessage, leaf, multipart, type Eol, type PartSpec } from "../../helpers/messages.js";
import { attachmentDigest, checkFidelity } from "./_invariants.js";
import { damaged } from "../../helpers/damage.js";

const CONFIG: MailstampConfig = {
  organization: { name: "Example Corp", domains: ["example.com"] },
  templates: {
    sig: { html: "<p><b>Sig Ω €</b> {{ org.name }}</p>", text: "-- \nSig Ω € {{ org.name }}" },
    banner: { html: "<p>BANNER external</p>", text: "BANNER external" },
    legal: { html: "<p>Legal: confidential</p>" },
  },
  rules: [
    {
      name: "all",
      stamps: [
        { template: "banner", placement: "top" },
        { template: "sig", placement: "under-reply" },
        { template: "legal", placement: "bottom" },
      ],
    },
  ],
};
const stamper = createStamper(CONFIG, { clock: () => new Date("2026-11-02T10:00:00Z") });
const OPTIONS = {
  markerName: "X-Mailstamp",
  htmlNeedles: ['class="mailstamp"'],
  textNeedles: ["Sig", "BANNER", "Legal"],
};

const CHARSETS = ["utf-8", "iso-8859-1", "us-ascii", "windows-1252", "koi8-r", "iso-8859-2", "shift_jis"];
const CTES = ["7bit", "8bit", "quoted-printable", "base64"] as const;

/** A deliberately naive quoted-printable encoder, independent of the one under test. */
function naiveQp(bytes: Uint8Array, eol: Eol): string {
  let out = "";
  let line = "";
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i] as number;
    if (eol === "\r\n" ? b === 0x0d && bytes[i + 1] === 0x0a : b === 0x0a) {
      out += line + eol;
      line = "";
      if (eol === "\r\n") i++;
      continue;
    }
    const lit = b > 0x20 && b < 0x7f && b !== 0x3d;
    const piece = lit ? String.fromCharCode(b) : `=${b.toString(16).toUpperCase().padStart(2, "0")}`;
    if (line.length + piece.length > 75) {
      out += `${line}=${eol}`;
      line = "";
    }
    line += piece;
  }
  return out + line;
}

const bodyText = fc
  .array(
    fc.oneof(
      fc.string({ maxLength: 60 }),
      fc.constantFrom(
        "Grüße",
        "Привет",
        "こんにちは",
        "> quoted line",
        "-- ",
        "From here",
        "=3D",
        "\t",
        "  ",
      ),
    ),
    { maxLength: 8 },
  )
  .map((pieces) => pieces.join("\n").replace(/\r/g, ""));

/** A text leaf in a random charset and transfer encoding, with a body that charset can hold. */
const textLeaf = (subtype: "plain" | "html") =>
  fc
    .record({
      text: bodyText,
      charset: fc.constantFrom(...CHARSETS),
      cte: fc.constantFrom(...CTES),
      flowed: fc.boolean(),
    })
    .map(({ text, charset, cte, flowed }) => ({ text, charset, cte, flowed, subtype }));

type TextLeaf = {
  text: string;
  charset: string;
  cte: (typeof CTES)[number];
  flowed: boolean;
  subtype: string;
};

function renderLeaf(spec: TextLeaf, eol: Eol): PartSpec {
  let content =
    spec.subtype === "html" ? `<html><body>\n<p>${spec.text}</p>\n</body></html>\n` : `${spec.text}\n`;
  // Keep the body in what the charset can hold, so the input itself is a well-formed message.
  let bytes = iconv.encode(content, spec.charset);
  if (iconv.decode(bytes, spec.charset) !== content) {
    content = content.replace(/[^\x20-\x7e\n\t]/g, "?");
    bytes = iconv.encode(content, spec.charset);
  }
  let cte: string = spec.cte;
  if (cte === "7bit" && bytes.some((b) => b >= 0x80)) cte = "8bit";
  const withEol = Buffer.from(Buffer.from(bytes).toString("latin1").replace(/\n/g, eol), "latin1");
  const body =
    cte === "base64"
      ? (withEol.toString("base64").match(/.{1,76}/g) ?? []).join(eol)
      : cte === "quoted-printable"
        ? naiveQp(withEol, eol)
        : withEol;
  const flowed = spec.flowed && spec.subtype === "plain" ? "; format=flowed" : "";
  return leaf(
    [
      `Content-Type: text/${spec.subtype}; charset=${spec.charset}${flowed}`,
      `Content-Transfer-Encoding: ${cte}`,
    ],
    typeof body === "string" ? body : new Uint8Array(body),
  );
}

const attachment = fc
  .record({ data: fc.uint8Array({ minLength: 1, maxLength: 300 }), name: fc.constantFrom("a.bin", "q1.pdf") })
  .map(({ data, name }) => ({ data, name }));

const boundary = fc.stringMatching(/^[A-Za-z0-9'()+_,./:=? -]{0,30}[A-Za-z0-9]$/);

const message = fc
  .record({
    shape: fc.constantFrom("plain", "html", "alternative", "mixed", "related", "mixed-alt"),
    plain: textLeaf("plain"),
    html: textLeaf("html"),
    files: fc.array(attachment, { maxLength: 2 }),
    eol: fc.constantFrom("\r\n", "\n" as const),
    b1: boundary,
    b2: boundary,
    preamble: fc.option(fc.constantFrom("This is a multi-part message in MIME format.", ""), {
      nil: undefined,
    }),
  })
  .filter(({ b1, b2 }) => !b1.startsWith(b2) && !b2.startsWith(b1))
  .map(({ shape, plain, html, files, eol, b1, b2, preamble }) => {
    const p = renderLeaf(plain, eol);
    const h = renderLeaf(html, eol);
    const att = files.map((f) =>
      leaf(
        [
          `Content-Type: application/octet-stream; name="${f.name}"`,
          `Content-Disposition: attachment; filename="${f.name}"`,
          "Content-Transfer-Encoding: base64",
        ],
        (
          Buffer.from(f.data)
            .toString("base64")
            .match(/.{1,76}/g) ?? []
        ).join(eol),
      ),
    );
    const image = leaf(
      ["Content-Type: image/png", "Content-ID: <logo@x>", "Content-Transfer-Encoding: base64"],
      "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==",
    );
    const extra = preamble !== undefined ? { preamble } : {};
    const root: PartSpec =
      shape === "plain"
        ? p
        : shape === "html"
          ? h
          : shape === "alternative"
            ? multipart("alternative", b1, [p, h], extra)
            : shape === "mixed"
              ? multipart("mixed", b1, [p, ...att], extra)
              : shape === "related"
                ? multipart("related", b1, [h, image], extra)
                : multipart("mixed", b1, [multipart("alternative", b2, [p, h]), ...att], extra);
    return buildMessage(root, { eol });
  });

/** Byte-level damage to a generated message: flips, cuts, duplicated and dropped slices, inserted junk. */
const mutated = damaged(message, { minLength: 1, maxLength: 4 });

async function checkAll(raw: Uint8Array): Promise<void> {
  const result = await stamper.stamp(raw);
  if (result.status !== "stamped") {
    expect(Buffer.from(result.message).equals(Buffer.from(raw))).toBe(true);
    return;
  }
  expect(checkFidelity(raw, result.message, OPTIONS)).toEqual([]);
  const again = await stamper.stamp(result.message);
  expect(again.reason).toBe("already-stamped");
  expect(Buffer.from(again.message).equals(Buffer.from(result.message))).toBe(true);
  expect(await attachmentDigest(result.message)).toEqual(await attachmentDigest(raw));
}

describe("createStamper().stamp properties", () => {
  it("stamps every generated message with the invariants holding, idempotently, attachments unchanged", async () => {
    await fc.assert(
      fc.asyncProperty(message, async (raw) => {
        const result = await stamper.stamp(raw);
        expect(result.status).toBe("stamped");
        await checkAll(raw);
      }),
      { seed: 3_2026, numRuns: 800 },
    );
  });

  it("never throws for mutated messages, and whatever it stamps still holds the invariants", async () => {
    await fc.assert(
      fc.asyncProperty(mutated, async (raw) => {
        await checkAll(raw);
      }),
      { seed: 11_2026, numRuns: 1200 },
    );
  });

  it("never throws for arbitrary bytes and returns them untouched when it does not stamp", async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 400 }), async (raw) => {
        const result = await stamper.stamp(raw);
        if (result.status !== "stamped")
          expect(Buffer.from(result.message).equals(Buffer.from(raw))).toBe(true);
      }),
      { seed: 5_2026, numRuns: 1000 },
    );
  });
});
