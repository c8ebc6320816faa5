import { describe, expect, it } from "vitest";
import { createMarkerValue, verifyMarker } from "../../../src/core/mime/marker.js";

const MSG = {
  messageId: "<q1@example.com>",
  date: "Mon, 2 Nov 2026 10:00:00 +0000",
  from: "alice@example.com",
};

describe("marker", () => {
  it("writes a plain version tag without a secret and verifies any v=1 marker", () => {
    expect(createMarkerValue(MSG, undefined)).toBe("v=1");
    expect(verifyMarker("v=1", MSG, undefined)).toBe(true);
    expect(verifyMarker("v=1; h=whatever", {}, undefined)).toBe(true);
    expect(verifyMarker("v=10", MSG, undefined)).toBe(false);
    expect(verifyMarker("processed", MSG, undefined)).toBe(false);
  });

  it("binds the marker to Message-ID, Date and From with an HMAC when a secret is set", () => {
    const value = createMarkerValue(MSG, "s3cret");
    expect(value).toMatch(/^v=1; h=[A-Za-z0-9_-]{43}$/);
    expect(verifyMarker(value, MSG, "s3cret")).toBe(true);
    // Refolded or re-spaced fields still verify: relays may refold headers.
    expect(
      verifyMarker(
        value,
        { ...MSG, messageId: ` ${MSG.messageId} `, date: MSG.date.replace(" ", "  ") },
        "s3cret",
      ),
    ).toBe(true);
  });

  it("rejects a forged, copied or unsigned marker when a secret is set", () => {
    const value = createMarkerValue(MSG, "s3cret");
    expect(verifyMarker("v=1", MSG, "s3cret")).toBe(false);
    expect(verifyMarker("v=1; h=AAAA", MSG, "s3cret")).toBe(false);
    expect(verifyMarker(value, { ...MSG, messageId: "<other@example.com>" }, "s3cret")).toBe(false);
    expect(verifyMarker(value, { ...MSG, date: "Tue, 3 Nov 2026 10:00:00 +0000" }, "s3cret")).toBe(false);
    expect(verifyMarker(value, { ...MSG, from: "mallory@example.com" }, "s3cret")).toBe(false);
    expect(verifyMarker(value, MSG, "other-secret")).toBe(false);
    expect(verifyMarker(createMarkerValue(MSG, undefined), MSG, "s3cret")).toBe(false);
  });

  it("does not let a marker from a message without Message-ID verify on another such message", () => {
    const first = createMarkerValue({ date: MSG.date, from: MSG.from }, "s3cret");
    expect(verifyMarker(first, { date: "Wed, 4 Nov 2026 08:00:00 +0000", from: MSG.from }, "s3cret")).toBe(
      false,
    );
    expect(verifyMarker(first, {}, "s3cret")).toBe(false);
  });
});
