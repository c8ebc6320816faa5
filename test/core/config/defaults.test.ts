import { describe, expect, it } from "vitest";
import { DEFAULTS } from "../../../src/core/config/defaults.js";

describe("DEFAULTS", () => {
  it("holds the documented defaults", () => {
    expect(DEFAULTS.sender).toBe("header");
    expect(DEFAULTS.stamp.placement).toBe("under-reply");
    expect(DEFAULTS.options.marker.header).toBe("X-Mailstamp");
    expect(DEFAULTS.options.protected).toBe("skip");
    expect(DEFAULTS.options.calendar).toBe("skip");
    expect(DEFAULTS.options.limits).toEqual({
      maxMessageBytes: 52428800,
      maxMimeDepth: 32,
      maxParts: 2000,
      renderTimeoutMs: 1000,
    });
    expect(DEFAULTS.rule).toEqual({ enabled: true, priority: 0, stop: false });
  });

  it("cannot be changed by a caller, at any depth", () => {
    const limits = DEFAULTS.options.limits as { maxParts: number };
    expect(() => {
      limits.maxParts = 0;
    }).toThrow(TypeError);
    expect(() => (DEFAULTS.organization.domains as unknown as string[]).push("x")).toThrow(TypeError);
    expect(DEFAULTS.options.limits.maxParts).toBe(2000);
  });
});
