/** Builders for test messages: hand-written MIME with full control over line endings, boundaries and bytes. */

export type Eol = "\r\n" | "\n";

/** A leaf part or a multipart, before line endings are chosen. */
export type PartSpec =
  | { headers: string[]; body: string | Uint8Array }
  | {
      headers: string[];
      boundary: string;
      parts: PartSpec[];
      preamble?: string;
      epilogue?: string;
      close?: boolean;
    };

/** A leaf part: header lines (without line endings) and a body ("\n" line breaks, converted to the message's). */
export function leaf(headers: string[], body: string | Uint8Array): PartSpec {
  return { headers, body };
}

/** A multipart/<subtype> part with the given boundary and children. */
export function multipart(
  subtype: string,
  boundary: string,
  parts: PartSpec[],
  extra: { headers?: string[]; preamble?: string; epilogue?: string; close?: boolean } = {},
): PartSpec {
  return {
    headers: [`Content-Type: multipart/${subtype}; boundary="${boundary}"`, ...(extra.headers ?? [])],
    boundary,
    parts,
    ...(extra.preamble !== undefined ? { preamble: extra.preamble } : {}),
    ...(extra.epilogue !== undefined ? { epilogue: extra.epilogue } : {}),
    ...(extra.close !== undefined ? { close: extra.close } : {}),
  };
}

const enc = new TextEncoder();

function toBytes(text: string | Uint8Array, eol: Eol): Uint8Array {
  return typeof text === "string" ? enc.encode(text.replace(/\r?\n/g, eol)) : text;
}

function render(spec: PartSpec, eol: Eol): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (const h of spec.headers) out.push(toBytes(h + eol, eol));
  out.push(toBytes(eol, eol));
  if ("body" in spec) {
    out.push(toBytes(spec.body, eol));
    return out;
  }
  if (spec.preamble !== undefined) out.push(toBytes(spec.preamble + eol, eol));
  spec.parts.forEach((part) => {
    out.push(toBytes(`--${spec.boundary}${eol}`, eol), ...render(part, eol), toBytes(eol, eol));
  });
  if (spec.close !== false) out.push(toBytes(`--${spec.boundary}--${eol}`, eol));
  if (spec.epilogue !== undefined) out.push(toBytes(spec.epilogue, eol));
  return out;
}

/** Default top-level headers of a test message. */
export const BASE_HEADERS = [
  "From: Alice Example <alice@example.com>",
  "To: Bob <bob@example.org>",
  "Subject: Quarterly numbers",
  "Date: Tue, 02 Jan 2024 10:00:00 +0000",
  "Message-ID: <q1@example.com>",
  "MIME-Version: 1.0",
];

/** A whole message: top-level header lines, then the root part's own header lines and body. */
export function buildMessage(root: PartSpec, options: { eol?: Eol; headers?: string[] } = {}): Uint8Array {
  const eol = options.eol ?? "\r\n";
  const spec = { ...root, headers: [...(options.headers ?? BASE_HEADERS), ...root.headers] };
  return new Uint8Array(Buffer.concat(render(spec, eol)));
}

/** The common shapes, each with a plain "Hello Bob" body. */
export const shapes = {
  plain: (eol: Eol = "\r\n") =>
    buildMessage(leaf(["Content-Type: text/plain; charset=utf-8"], "Hello Bob,\nthe numbers are in.\n"), {
      eol,
    }),
  html: (eol: Eol = "\r\n") =>
    buildMessage(
      leaf(
        ["Content-Type: text/html; charset=utf-8"],
        '<!DOCTYPE html>\n<html><head><title>x</title></head><body style="margin:0">\n<p>Hello Bob</p>\n</body></html>\n',
      ),
      { eol },
    ),
  alternative: (eol: Eol = "\r\n") =>
    buildMessage(
      multipart("alternative", "alt-1", [
        leaf(["Content-Type: text/plain; charset=utf-8"], "Hello Bob"),
        leaf(["Content-Type: text/html; charset=utf-8"], "<html><body><p>Hello Bob</p></body></html>"),
      ]),
      { eol },
    ),
  mixedWithAttachment: (eol: Eol = "\r\n") =>
    buildMessage(
      multipart(
        "mixed",
        "mix-1",
        [
          leaf(["Content-Type: text/plain; charset=us-ascii"], "Hello Bob, see attached."),
          leaf(
            [
              'Content-Type: application/pdf; name="q1.pdf"',
              'Content-Disposition: attachment; filename="q1.pdf"',
              "Content-Transfer-Encoding: base64",
            ],
            "JVBERi0xLjQKJcfsj6IKNSAwIG9iago8PC9MZW5ndGggNiAwIFI+PgpzdHJlYW0K\nZW5kc3RyZWFtCmVuZG9iagp0cmFpbGVyCjw8Pj4KJSVFT0YK",
          ),
        ],
        { preamble: "This is a multi-part message in MIME format.", epilogue: "epilogue text\n" },
      ),
      { eol },
    ),
  relatedWithImage: (eol: Eol = "\r\n") =>
    buildMessage(
      multipart("related", "rel-1", [
        leaf(
          ["Content-Type: text/html; charset=utf-8"],
          '<html><body><p>Hello Bob</p><img src="cid:logo@x"></body></html>',
        ),
        leaf(
          [
            "Content-Type: image/png",
            "Content-ID: <logo@x>",
            "Content-Disposition: inline",
            "Content-Transfer-Encoding: base64",
          ],
          "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==",
        ),
      ]),
      { eol },
    ),
  mixedAlternative: (eol: Eol = "\r\n") =>
    buildMessage(
      multipart("mixed", "mix-2", [
        multipart("alternative", "alt-2", [
          leaf(["Content-Type: text/plain; charset=utf-8"], "Hello Bob"),
          leaf(["Content-Type: text/html; charset=utf-8"], "<html><body><p>Hello Bob</p></body></html>"),
        ]),
        leaf(
          ['Content-Type: text/csv; name="q1.csv"', 'Content-Disposition: attachment; filename="q1.csv"'],
          "a,b\n1,2",
        ),
      ]),
      { eol },
    ),
  /** Apple Mail's picture in the middle: text/plain, and the HTML split around an inline image in mixed. */
  appleSplitHtml: (eol: Eol = "\r\n") =>
    buildMessage(
      multipart("alternative", "Apple-Mail-1", [
        leaf(["Content-Type: text/plain; charset=us-ascii"], "Look at this:\n\n\nNice, isn't it?\n"),
        multipart("mixed", "Apple-Mail-2", [
          leaf(
            ["Content-Type: text/html; charset=us-ascii"],
            "<html><head></head><body><div>Look at this:</div><div><br></div></body></html>",
          ),
          leaf(
            [
              "Content-Disposition: inline; filename=photo.png",
              'Content-Type: image/png; name="photo.png"',
              "Content-Transfer-Encoding: base64",
            ],
            PNG_1PX,
          ),
          leaf(
            ["Content-Type: text/html; charset=us-ascii"],
            "<html><head></head><body><div><br></div><div>Nice, isn't it?</div></body></html>",
          ),
        ]),
      ]),
      { eol },
    ),
  /** Apple Mail in plain-text mode: text, inline image, text in multipart/mixed. */
  appleSplitText: (eol: Eol = "\r\n") =>
    buildMessage(
      multipart("mixed", "Apple-Mail-3", [
        leaf(["Content-Type: text/plain; charset=us-ascii"], "Look at this:\n"),
        leaf(
          [
            "Content-Disposition: inline; filename=photo.png",
            'Content-Type: image/png; name="photo.png"',
            "Content-Transfer-Encoding: base64",
          ],
          PNG_1PX,
        ),
        leaf(["Content-Type: text/plain; charset=us-ascii"], "\nNice, isn't it?\n"),
      ]),
      { eol },
    ),
  /** An S/MIME-style multipart/signed message (the signature bytes are a stand-in: nothing verifies them). */
  signed: (eol: Eol = "\r\n") =>
    buildMessage(
      multipart(
        "signed",
        "signed-1",
        [
          leaf(["Content-Type: text/plain; charset=utf-8"], "Hello Bob,\nsigned numbers attached.\n"),
          leaf(
            [
              'Content-Type: application/pkcs7-signature; name="smime.p7s"',
              "Content-Transfer-Encoding: base64",
              'Content-Disposition: attachment; filename="smime.p7s"',
            ],
            "MIAGCSqGSIb3DQEHAqCAMIACAQExDzANBglghkgBZQMEAgEFADCABgkqhkiG9w0BBwEAAKCAMIIF\n",
          ),
        ],
        {
          headers: ["Content-Transfer-Encoding: 7bit"],
          preamble: "This is an S/MIME signed message",
        },
      ),
      { eol },
    ),
};

/** A 1×1 PNG, base64. */
export const PNG_1PX =
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==";

/** Text of bytes, for assertions. */
export function text(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString("latin1");
}

/** Bytes of a Latin-1 string, for messages with 8-bit bytes. */
export function latin1(textValue: string): Uint8Array {
  return new Uint8Array(Buffer.from(textValue, "latin1"));
}
