import { describe, expect, it } from "vitest";
import { inlineCss } from "../../../src/core/render/inline-css.js";

describe("inlineCss", () => {
  it("moves <style> rules into style attributes and removes the block", () => {
    const html = inlineCss(
      '<style>.name { font-weight: bold; color: #123456 }</style><p class="name">Alice</p>',
    );
    expect(html).not.toContain("<style");
    expect(html).toMatch(/<p class="name" style="font-weight: bold; color: #123456;">Alice<\/p>/);
  });

  it("inlines the template's css option", () => {
    expect(inlineCss("<p>Alice</p>", "p { margin: 0 }")).toBe('<p style="margin: 0;">Alice</p>');
  });

  it("lets styles written inline win over stylesheet rules", () => {
    const html = inlineCss('<style>p { color: red; margin: 0 }</style><p style="color: blue">x</p>');
    expect(html).toMatch(/style="[^"]*margin: 0;[^"]*color: blue;?"/);
    expect(html).not.toContain("red");
  });

  it("drops rules that cannot be inlined instead of leaving a <style> block", () => {
    const html = inlineCss(
      "<style>@media (max-width: 600px) { p { color: red } } a:hover { color: red }</style><p>x</p>",
    );
    expect(html).toBe("<p>x</p>");
  });

  it("returns HTML without styles unchanged", () => {
    const html = '<table><tr><td width="80">x &amp; y</td></tr></table>';
    expect(inlineCss(html)).toBe(html);
  });
});
