import { describe, expect, it } from "vitest";
import { sanitizeStampHtml } from "../../../src/core/render/sanitize.js";

describe("sanitizeStampHtml", () => {
  it("keeps a typical signature layout intact", () => {
    const html =
      '<table width="100%" cellpadding="0" cellspacing="0" border="0"><tr><td valign="top" style="padding:0 8px">' +
      '<img src="cid:logo.1@mailstamp" alt="Example" width="80" height="40" /></td><td align="left">' +
      '<font color="#333333" face="Arial" size="2"><b>Alice</b></font><br />' +
      '<a href="https://example.com" target="_blank" title="Web">example.com</a> · <a href="mailto:a@example.com">mail</a> · ' +
      '<a href="tel:+14155550100">call</a></td></tr></table>';
    expect(sanitizeStampHtml(html)).toBe(html);
  });

  it.each([
    ["<p>a<script>alert(1)</script>b</p>", "<p>ab</p>"],
    ["<p>a<style>p{color:red}</style>b</p>", "<p>ab</p>"],
    ['<iframe src="https://evil.example">x</iframe><p>ok</p>', "<p>ok</p>"],
    ['<object data="x.swf">x</object><p>ok</p>', "<p>ok</p>"],
    ['<form action="https://evil.example"><input name="pw" />Log in</form>', "Log in"],
    ['<p onclick="steal()" onmouseover="x()">hi</p>', "<p>hi</p>"],
    ['<img src="x.png" onerror="steal()" />', '<img src="x.png" />'],
    ['<a href="javascript:alert(1)">x</a>', "<a>x</a>"],
    ['<a href=" JaVaScRiPt:alert(1)">x</a>', "<a>x</a>"],
    ['<a href="java&#x09;script:alert(1)">x</a>', "<a>x</a>"],
    ['<a href="vbscript:msgbox(1)">x</a>', "<a>x</a>"],
    ['<a href="data:text/html,<script>x</script>">x</a>', "<a>x</a>"],
    ['<a href="//evil.example/x">x</a>', "<a>x</a>"],
    ['<img src="data:image/svg+xml;base64,PHN2Zz4=" alt="a" />', '<img alt="a" />'],
    ['<img src="javascript:alert(1)" alt="a" />', '<img alt="a" />'],
    ['<svg onload="x()"><circle /></svg><p>ok</p>', "<p>ok</p>"],
    [
      '<div id="x" data-x="1" dir="rtl" lang="de" class="c">d</div>',
      '<div dir="rtl" lang="de" class="c">d</div>',
    ],
  ])("cleans %s", (input, expected) => {
    expect(sanitizeStampHtml(input)).toBe(expected);
  });

  it("keeps inline PNG, JPEG and GIF images", () => {
    for (const type of ["png", "jpeg", "gif"]) {
      const html = `<img src="data:image/${type};base64,AAAA" alt="x" />`;
      expect(sanitizeStampHtml(html)).toBe(html);
    }
  });

  it.each([
    ["width:expression(alert(1))"],
    ["width:e\\78 pression(alert(1))"],
    ["width:ex/**/pression(alert(1))"],
    ["background:url(javascript:alert(1))"],
    ["background:url( 'JAVASCRIPT:alert(1)' )"],
    ["behavior:url(x.htc)"],
    ["-moz-binding:url(https://evil.example/x.xml#x)"],
    ["background-image:url(data:image/svg+xml;base64,PHN2Zz4=)"],
  ])("removes the dangerous declaration %s and keeps the rest", (declaration) => {
    const html = sanitizeStampHtml(`<p style="color:red; ${declaration}; font-size:10px">x</p>`);
    expect(html).toBe('<p style="color:red;font-size:10px">x</p>');
  });

  it("keeps image URLs in CSS that mail clients load", () => {
    const html = sanitizeStampHtml(
      '<td style="background-image:url(https://cdn.example.com/bg.png);background:url(data:image/png;base64,AA==)">x</td>',
    );
    expect(html).toContain("url(https://cdn.example.com/bg.png)");
    expect(html).toContain("url(data:image/png;base64,AA==)");
  });

  it("drops a style attribute left empty", () => {
    expect(sanitizeStampHtml('<span style="behavior:url(x.htc)">x</span>')).toBe("<span>x</span>");
  });
});
