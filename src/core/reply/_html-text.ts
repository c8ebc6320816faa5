/** Character references in HTML text, decoded just enough to read attribution lines ("&lt;a@b&gt; wrote:"). */

const NAMED: Readonly<Record<string, string>> = {
  amp: "&",
  lt: "<",
  gt: ">",
  quot: '"',
  apos: "'",
  nbsp: "\u00a0",
  laquo: "«",
  raquo: "»",
  ldquo: "“",
  rdquo: "”",
  bdquo: "„",
  lsquo: "‘",
  rsquo: "’",
  ndash: "–",
  mdash: "—",
  hellip: "…",
};

/**
 * Decodes `&name;`, `&#NN;` and `&#xHH;` references in a text run; unknown ones stay as written. One pass,
 * each reference at most 10 characters long.
 *
 * @example
 * _decodeEntities("Ann &lt;ann@x.test&gt; wrote:"); // "Ann <ann@x.test> wrote:"
 */
export function _decodeEntities(text: string): string {
  if (!text.includes("&")) return text;
  let out = "";
  let pos = 0;
  for (let i = text.indexOf("&"); i >= 0; i = text.indexOf("&", i + 1)) {
    const semi = text.indexOf(";", i + 1);
    if (semi < 0 || semi - i > 10) continue;
    const ref = text.slice(i + 1, semi);
    let ch: string | undefined;
    if (ref[0] === "#") {
      const code = ref[1] === "x" || ref[1] === "X" ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
      if (Number.isInteger(code) && code > 0 && code <= 0x10ffff) ch = String.fromCodePoint(code);
    } else ch = NAMED[ref.toLowerCase()];
    if (ch === undefined) continue;
    out += text.slice(pos, i) + ch;
    pos = semi + 1;
    i = semi;
  }
  return out + text.slice(pos);
}
