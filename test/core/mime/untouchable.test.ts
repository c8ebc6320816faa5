import { describe, expect, it } from "vitest";
import { decodeHeaders } from "../../../src/core/mime/headers.js";
import { scanMessage } from "../../../src/core/mime/scan-message.js";
import { checkUntouchable } from "../../../src/core/mime/untouchable.js";
import { buildMessage, leaf, multipart, shapes, BASE_HEADERS } from "../../helpers/messages.js";

const SKIP = { protected: "skip", calendar: "skip" } as const;

function check(
  raw: Uint8Array,
  options: { protected: "skip" | "wrap" | "reject"; calendar: "skip" | "stamp" } = SKIP,
) {
  const scan = scanMessage(raw, { maxMimeDepth: 32, maxParts: 2000 });
  if (!scan.ok) throw new Error(scan.detail);
  return checkUntouchable(scan.message, decodeHeaders(scan.message.headers), options);
}

const withHeaders = (...extra: string[]): Uint8Array =>
  buildMessage(leaf(["Content-Type: text/plain"], "Hi"), { headers: [...BASE_HEADERS, ...extra] });

const signed = buildMessage(
  multipart("signed", "s", [
    leaf(["Content-Type: text/plain"], "Hi"),
    leaf(["Content-Type: application/pkcs7-signature"], "MIIB"),
  ]),
);

describe("checkUntouchable", () => {
  it("lets an ordinary message through", () => {
    expect(check(shapes.mixedAlternative())).toBeUndefined();
  });

  it("skips S/MIME and PGP/MIME messages as protected", () => {
    expect(check(signed)).toMatchObject({ reason: "protected" });
    expect(check(signed)?.rejected).toBeUndefined();
    const encrypted = buildMessage(
      multipart("encrypted", "e", [leaf(["Content-Type: application/pgp-encrypted"], "Version: 1")]),
    );
    expect(check(encrypted)).toMatchObject({ reason: "protected" });
    const smime = buildMessage(
      leaf(
        [
          'Content-Type: application/pkcs7-mime; smime-type=enveloped-data; name="smime.p7m"',
          'Content-Disposition: attachment; filename="smime.p7m"',
        ],
        "MIIB",
      ),
    );
    expect(check(smime)).toMatchObject({ reason: "protected" });
  });

  it("does not treat a .p7m file a user attached as protection", () => {
    const raw = buildMessage(
      multipart("mixed", "m", [
        leaf([], "see file"),
        leaf(
          ["Content-Type: application/pkcs7-mime", "Content-Disposition: attachment; filename=x.p7m"],
          "MIIB",
        ),
      ]),
    );
    expect(check(raw)).toBeUndefined();
  });

  it("skips inline PGP armour at a line start but not when quoted", () => {
    expect(
      check(buildMessage(leaf([], "-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA256\n\nhi"))),
    ).toMatchObject({ reason: "protected" });
    expect(check(buildMessage(leaf([], "x\n-----BEGIN PGP MESSAGE-----\nabc")))).toMatchObject({
      reason: "protected",
    });
    expect(check(buildMessage(leaf([], "ok\n> -----BEGIN PGP MESSAGE-----\n> abc")))).toBeUndefined();
  });

  it("marks protected mail rejected with protected: reject", () => {
    expect(check(signed, { protected: "reject", calendar: "skip" })).toMatchObject({
      reason: "protected",
      rejected: true,
    });
  });

  it("asks for a wrap of protected mail with protected: wrap, even when its body cannot be read", () => {
    expect(check(signed, { protected: "wrap", calendar: "skip" })).toMatchObject({
      reason: "protected",
      wrap: true,
    });
    const encrypted = buildMessage(
      multipart("encrypted", "e", [
        leaf(["Content-Type: application/pgp-encrypted"], "Version: 1"),
        leaf(["Content-Type: application/octet-stream"], "-----BEGIN PGP MESSAGE-----"),
      ]),
    );
    expect(check(encrypted, { protected: "wrap", calendar: "skip" })).toMatchObject({ wrap: true });
  });

  it("still skips a signed auto-reply with protected: wrap", () => {
    const autoSigned = buildMessage(
      multipart("signed", "s", [
        leaf(["Content-Type: text/plain"], "I am away"),
        leaf(["Content-Type: application/pkcs7-signature"], "MIIB"),
      ]),
      { headers: [...BASE_HEADERS, "Auto-Submitted: auto-replied"] },
    );
    expect(check(autoSigned, { protected: "wrap", calendar: "skip" })).toMatchObject({
      reason: "auto-reply",
    });
    expect(check(autoSigned, { protected: "wrap", calendar: "skip" })?.wrap).toBeUndefined();
  });

  it("skips delivery and read reports and null return paths", () => {
    const dsn = buildMessage(
      multipart("report", "r", [
        leaf([], "Delivery failed"),
        leaf(["Content-Type: message/delivery-status"], "Action: failed"),
      ]),
    );
    expect(check(dsn)).toMatchObject({ reason: "report" });
    expect(check(withHeaders("Return-Path: < >"))).toMatchObject({ reason: "report" });
    expect(check(withHeaders("Return-Path: <alice@example.com>"))).toBeUndefined();
  });

  it("skips auto-replies by header and by subject, but not Auto-Submitted: no or X-Auto-Response-Suppress", () => {
    expect(check(withHeaders("Auto-Submitted: auto-replied"))).toMatchObject({ reason: "auto-reply" });
    expect(check(withHeaders("X-Autoreply: yes"))).toMatchObject({ reason: "auto-reply" });
    expect(check(withHeaders("X-Autorespond: 1"))).toMatchObject({ reason: "auto-reply" });
    expect(check(withHeaders("Precedence: auto_reply"))).toMatchObject({ reason: "auto-reply" });
    expect(check(withHeaders("Auto-Submitted: no"))).toBeUndefined();
    expect(check(withHeaders("X-Auto-Response-Suppress: All"))).toBeUndefined();
    for (const subject of [
      "Automatic reply: Quarterly numbers",
      "Out of Office: hi",
      "Autosvar: hej",
      "=?utf-8?q?R=C3=A9ponse_automatique?= : x",
      "Abwesend: x",
    ]) {
      const raw = buildMessage(leaf([], "Hi"), { headers: ["From: a@example.com", `Subject: ${subject}`] });
      expect(check(raw)).toMatchObject({ reason: "auto-reply" });
    }
  });

  it("skips meeting requests with calendar: skip and lets them through with calendar: stamp", () => {
    const invite = buildMessage(
      multipart("alternative", "a", [
        leaf([], "Meeting"),
        leaf(
          ["Content-Type: text/calendar; charset=utf-8; method=REQUEST"],
          "BEGIN:VCALENDAR\nMETHOD:REQUEST\nEND:VCALENDAR",
        ),
      ]),
    );
    expect(check(invite)).toMatchObject({ reason: "calendar" });
    expect(check(invite, { protected: "skip", calendar: "stamp" })).toBeUndefined();
    const methodLine = buildMessage(
      multipart("mixed", "m", [
        leaf([], "Meeting"),
        leaf(["Content-Type: text/calendar"], "BEGIN:VCALENDAR\nMETHOD:CANCEL\nEND:VCALENDAR"),
      ]),
    );
    expect(check(methodLine)).toMatchObject({ reason: "calendar" });
  });

  it("reports a message without a text body as no-body", () => {
    expect(check(buildMessage(leaf(["Content-Type: image/png"], "AAAA")))).toMatchObject({
      reason: "no-body",
    });
  });
});
