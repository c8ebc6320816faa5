import { describe, expect, it } from "vitest";
import { htmlToText } from "../../../src/core/render/html-to-text.js";

describe("htmlToText", () => {
  it.each([
    ['<a href="https://example.com/about">About us</a>', "About us <https://example.com/about>"],
    ['<a href="https://example.com/about">https://example.com/about</a>', "https://example.com/about"],
    ['<a href="https://example.com/">example.com</a>', "example.com"],
    ['<a href="mailto:alice@example.com">alice@example.com</a>', "alice@example.com"],
    ['<a href="mailto:alice@example.com">Alice Example</a>', "Alice Example <alice@example.com>"],
    ['<a href="mailto:a%20b@example.com?subject=Hi">Write</a>', "Write <a b@example.com>"],
    ['<a href="tel:+14155550100">+1 415 555 0100</a>', "+1 415 555 0100"],
    ['<a href="tel:+14155550100">Call me</a>', "Call me <+14155550100>"],
    ['<a href="https://example.com/x"><img src="cid:x" alt="" /></a>', "https://example.com/x"],
    ['<a href="#top">Top</a>', "Top"],
  ])("writes the link %s as %j", (html, expected) => {
    expect(htmlToText(html)).toBe(expected);
  });

  it("writes images as their alt text, or not at all", () => {
    expect(htmlToText('<p><img src="cid:logo" alt="Example Corp" /> <img src="cid:x" /> Alice</p>')).toBe(
      "Example Corp Alice",
    );
  });

  it("puts the cells of a layout table under each other", () => {
    const html =
      '<table><tr><td><img src="cid:logo" alt="Example Corp"></td><td><b>Alice Example</b><br>CFO<br>M +1 415 555 0100</td></tr></table>';
    expect(htmlToText(html)).toBe("Example Corp\nAlice Example\nCFO\nM +1 415 555 0100");
  });

  it("keeps a row of short cells on one line", () => {
    const html =
      "<table><tr><th>Phone</th><td>+1 415 555 0100</td></tr><tr><th>Fax</th><td>+1 415 555 0101</td></tr></table>";
    expect(htmlToText(html)).toBe("Phone  +1 415 555 0100\nFax  +1 415 555 0101");
  });

  it("does not wrap long lines", () => {
    const long = "word ".repeat(40).trim();
    expect(htmlToText(`<p>${long}</p>`)).toBe(long);
  });

  it("collapses blank lines and trims", () => {
    expect(htmlToText("<p></p><p>One</p><p></p><p></p><p></p><div><br><br><br></div><p>Two</p><p></p>")).toBe(
      "One\n\nTwo",
    );
  });

  it("keeps tight paragraphs line under line", () => {
    expect(htmlToText('<p style="margin:0">Alice</p><p style="margin: 0px">CFO</p>')).toBe("Alice\nCFO");
  });

  it("decodes entities and keeps headings as written", () => {
    expect(htmlToText("<h3>Smith &amp; Co</h3><p>&lt;tag&gt;&nbsp;x</p>")).toBe("Smith & Co\n\n<tag> x");
  });
});
