/** Where a stamp goes inside an HTML body; plain linear scans, because the HTML is attacker-controlled. */

function isTagNameEnd(c: string | undefined): boolean {
  return (
    c === undefined ||
    c === ">" ||
    c === "/" ||
    c === " " ||
    c === "\t" ||
    c === "\r" ||
    c === "\n" ||
    c === "\f"
  );
}

function startsWithCi(s: string, at: number, word: string): boolean {
  if (at + word.length > s.length) return false;
  for (let j = 0; j < word.length; j++) {
    let c = s.charCodeAt(at + j);
    if (c >= 0x41 && c <= 0x5a) c += 0x20;
    if (c !== word.charCodeAt(j)) return false;
  }
  return true;
}

/** Index after the ">" that closes the tag opened at `at`, honouring quoted attribute values; -1 if none. */
function tagEnd(s: string, at: number): number {
  let quote = "";
  for (let i = at + 1; i < s.length; i++) {
    const c = s[i];
    if (quote) {
      if (c === quote) quote = "";
    } else if (c === '"' || c === "'") quote = c;
    else if (c === ">") return i + 1;
  }
  return -1;
}

/**
 * Index right after the `<body …>` start tag; without one, after any leading doctype, `<html>` and
 * `<head>…</head>`, else 0. Comments are skipped so Outlook's conditional comments cannot fake a body tag.
 */
export function htmlTopIndex(s: string): number {
  let i = 0;
  for (;;) {
    i = s.indexOf("<", i);
    if (i < 0) break;
    if (s.startsWith("<!--", i)) {
      const close = s.indexOf("-->", i + 4);
      if (close < 0) break;
      i = close + 3;
      continue;
    }
    if (startsWithCi(s, i + 1, "body") && isTagNameEnd(s[i + 5])) {
      const end = tagEnd(s, i);
      if (end >= 0) return end;
      break;
    }
    i++;
  }
  let pos = 0;
  let j = 0;
  for (;;) {
    while (j < s.length && /\s/.test(s[j] as string)) j++;
    if (s.startsWith("<!--", j)) {
      const close = s.indexOf("-->", j + 4);
      if (close < 0) return pos;
      pos = j = close + 3;
    } else if (startsWithCi(s, j, "<!doctype") || startsWithCi(s, j, "<?xml")) {
      const close = s.indexOf(">", j);
      if (close < 0) return pos;
      pos = j = close + 1;
    } else if (startsWithCi(s, j, "<html") && isTagNameEnd(s[j + 5])) {
      const end = tagEnd(s, j);
      if (end < 0) return pos;
      pos = j = end;
    } else if (startsWithCi(s, j, "<head") && isTagNameEnd(s[j + 5])) {
      const close = firstAfter(s, "</head", j);
      if (close < 0) return pos;
      const end = tagEnd(s, close);
      if (end < 0) return pos;
      pos = j = end;
    } else return pos;
  }
}

/** Start index of the first `closing` tag at or after `from` (case-insensitive), or -1. */
function firstAfter(s: string, closing: string, from: number): number {
  let i = from;
  for (;;) {
    i = s.indexOf("</", i);
    if (i < 0) return -1;
    if (startsWithCi(s, i, closing) && isTagNameEnd(s[i + closing.length])) return i;
    i += 2;
  }
}

/** Start index of the last `<tag`-named closing tag at or after `min` (case-insensitive), or -1. */
function lastBefore(s: string, closing: string, from: number, min: number): number {
  let i = from;
  for (;;) {
    i = s.lastIndexOf("</", i - 1);
    if (i < min || i < 0) return -1;
    if (startsWithCi(s, i, closing) && isTagNameEnd(s[i + closing.length])) return i;
    if (i === 0) return -1;
  }
}

/** Index just before the last `</body>`, else before the last `</html>`, else the end. */
export function htmlEndIndex(s: string): number {
  const body = lastBefore(s, "</body", s.length + 1, 0);
  if (body >= 0) return body;
  const html = lastBefore(s, "</html", s.length + 1, 0);
  return html >= 0 ? html : s.length;
}
