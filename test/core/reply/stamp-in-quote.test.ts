import { describe, expect, it } from "vitest";
import { findStampInQuote } from "../../../src/core/reply/stamp-in-quote.js";

const legal = {
  template: "legal",
  texts: ["This message is confidential. Visit https://example.com for terms."],
};

describe("findStampInQuote", () => {
  it("finds the stamp by its wrapper in quoted HTML", () => {
    expect(findStampInQuote({ html: '<div class="mailstamp" data-mailstamp="legal">x</div>' }, legal)).toBe(
      "marker",
    );
    expect(findStampInQuote({ html: '<div data-mailstamp="standard">x</div>' }, legal)).toBeUndefined();
  });

  it("finds the stamp by its words through quote prefixes, wrapping and rewritten links", () => {
    const quoted =
      "> This message is\n> confidential.  Visit https://example.com <https://safelinks.test/?u=x> for\n> terms.";
    expect(findStampInQuote({ text: quoted }, legal)).toBe("text");
  });

  it("does not match part of the stamp or a stamp of fewer than three words", () => {
    expect(findStampInQuote({ text: "> This message is public." }, legal)).toBeUndefined();
    expect(findStampInQuote({ text: "> Thanks Ann" }, { template: "t", texts: ["Thanks"] })).toBeUndefined();
  });
});

describe("findStampInQuote with re-flowed quotes", () => {
  it("finds the stamp in a plain-text quote whose spaces became no-break and other Unicode spaces", () => {
    const quoted =
      "> This\u00a0message\u00a0is\u202fconfidential.\u3000Visit\u2009https://example.com for\u00a0terms.";
    expect(findStampInQuote({ text: quoted }, legal)).toBe("text");
  });

  it("finds the stamp when soft hyphens or zero-width spaces break its words", () => {
    const quoted = "> This mes\u00adsage is confi\u200bdential. Visit https://example.com for terms.";
    expect(findStampInQuote({ text: quoted }, legal)).toBe("text");
  });
});
