import { describe, expect, it } from "vitest";
import { createMarkerValue, verifyMarker } from "../../../src/core/mime/marker.js";

const ID = "<q1@example.com>";

describe("marker", () => {
  it("writes a plain version tag without a secret and verifies any v=1 marker", () => {
    expect(createMarkerValue(ID, undefined)).toBe("v=1");
    expect(verifyMarker("v=1", ID, undefined)).toBe(true);
    expect(verifyMarker("v=1; h=whatever", undefined, undefined)).toBe(true);
    expect(verifyMarker("v=10", ID, undefined)).toBe(false);
    expect(verifyMarker("processed", ID, undefined)).toBe(false);
  });

  it("binds the marker to the Message-ID with an HMAC when a secret is set", () => {
    const value = createMarkerValue(ID, "s3cret");
    expect(value).toMatch(/^v=1; h=[A-Za-z0-9_-]{43}$/);
    expect(verifyMarker(value, ID, "s3cret")).toBe(true);
    expect(verifyMarker(value, ` ${ID} `, "s3cret")).toBe(true);
  });

  it("rejects a forged, copied or unsigned marker when a secret is set", () => {
    const value = createMarkerValue(ID, "s3cret");
    expect(verifyMarker("v=1", ID, "s3cret")).toBe(false);
    expect(verifyMarker("v=1; h=AAAA", ID, "s3cret")).toBe(false);
    expect(verifyMarker(value, "<other@example.com>", "s3cret")).toBe(false);
    expect(verifyMarker(value, ID, "other-secret")).toBe(false);
    expect(verifyMarker(createMarkerValue(ID, undefined), ID, "s3cret")).toBe(false);
  });
});
