/** Structured header values (`type/subtype; name=value`) per RFC 2045 §5.1, RFC 2183 and RFC 2231, parsed in one pass. */
import { getCodec } from "./_charset.js";

/** Where one `name=value` parameter sits in the parsed string (so a header can be edited in place). */
export interface _ParamSpan {
  /** The name as written, lower-case (`charset`, `filename*0*`). */
  name: string;
  /** The name without RFC 2231 `*N` / `*` suffixes. */
  base: string;
  start: number;
  end: number;
}

export interface _ParsedValue {
  /** The main value, lower-case, comments removed. */
  value: string;
  /** Lower-case keys; RFC 2231 continuations joined and decoded. */
  params: Record<string, string>;
  spans: _ParamSpan[];
}

function isWsp(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0d || c === 0x0a;
}

/** Skips a (possibly nested) RFC 5322 comment starting at `i` (which is "("); returns the index after it. */
function skipComment(s: string, i: number): number {
  let depth = 0;
  for (; i < s.length; i++) {
    const c = s[i];
    if (c === "\\") i++;
    else if (c === "(") depth++;
    else if (c === ")") {
      depth--;
      if (depth === 0) return i + 1;
    }
  }
  return s.length;
}

function skipCfws(s: string, i: number): number {
  while (i < s.length) {
    if (isWsp(s.charCodeAt(i))) i++;
    else if (s[i] === "(") i = skipComment(s, i);
    else break;
  }
  return i;
}

/**
 * Parses `main; a=b; c="d"` leniently: unquoted values run to the next ";" (so boundaries with spaces or "="
 * survive), quoted strings honour backslash escapes, comments are dropped, duplicates keep the first value.
 */
export function parseParameterizedValue(input: string): _ParsedValue {
  let i = skipCfws(input, 0);
  let main = "";
  while (i < input.length && input[i] !== ";") {
    if (input[i] === "(") {
      i = skipComment(input, i);
      continue;
    }
    if (input[i] === '"') {
      const q = readQuoted(input, i);
      main += q.value;
      i = q.end;
      continue;
    }
    main += input[i];
    i++;
  }
  const raw: Array<{ name: string; value: string; quoted: boolean }> = [];
  const spans: _ParamSpan[] = [];
  while (i < input.length) {
    i++; // the ";"
    i = skipCfws(input, i);
    if (i >= input.length) break;
    if (input[i] === ";") continue;
    const start = i;
    let nameEnd = i;
    while (nameEnd < input.length && input[nameEnd] !== "=" && input[nameEnd] !== ";") nameEnd++;
    const name = input.slice(start, nameEnd).trim().toLowerCase();
    if (nameEnd >= input.length || input[nameEnd] === ";") {
      i = nameEnd;
      continue; // a bare token without "=" carries nothing
    }
    i = skipCfws(input, nameEnd + 1);
    let value = "";
    let quoted = false;
    let end = i;
    if (input[i] === '"') {
      const q = readQuoted(input, i);
      value = q.value;
      quoted = true;
      end = q.end;
      i = q.end;
      while (i < input.length && input[i] !== ";") i++;
    } else {
      let j = i;
      while (j < input.length && input[j] !== ";") j++;
      end = j;
      while (end > i && isWsp(input.charCodeAt(end - 1))) end--;
      value = input.slice(i, end);
      i = j;
    }
    if (name === "" || /\s/.test(name)) continue;
    raw.push({ name, value, quoted });
    spans.push({ name, base: baseName(name), start, end });
  }
  return { value: main.trim().toLowerCase(), params: joinParams(raw), spans };
}

function readQuoted(s: string, i: number): { value: string; end: number } {
  let value = "";
  let j = i + 1;
  for (; j < s.length; j++) {
    const c = s[j] as string;
    if (c === "\\" && j + 1 < s.length) {
      value += s[j + 1];
      j++;
    } else if (c === '"') return { value, end: j + 1 };
    else if (c !== "\r" && c !== "\n") value += c;
  }
  return { value, end: s.length };
}

function baseName(name: string): string {
  const star = name.indexOf("*");
  return star < 0 ? name : name.slice(0, star);
}

/** RFC 2231: `name*=charset'lang'%XX`, `name*0=…; name*1*=%XX…`; an extended value wins over a plain one. */
function joinParams(
  raw: ReadonlyArray<{ name: string; value: string; quoted: boolean }>,
): Record<string, string> {
  const plain = new Map<string, string>();
  const sections = new Map<string, Array<{ nr: number; value: string; encoded: boolean }>>();
  for (const { name, value } of raw) {
    const star = name.indexOf("*");
    if (star < 0) {
      if (!plain.has(name)) plain.set(name, value);
      continue;
    }
    const base = name.slice(0, star);
    const rest = name.slice(star + 1);
    let nr = 0;
    let encoded = false;
    if (rest === "") encoded = true;
    else {
      const encodedSection = rest.endsWith("*");
      const digits = encodedSection ? rest.slice(0, -1) : rest;
      if (!/^\d{1,4}$/.test(digits)) continue;
      nr = Number(digits);
      encoded = encodedSection;
    }
    let list = sections.get(base);
    if (!list) sections.set(base, (list = []));
    if (!list.some((s) => s.nr === nr)) list.push({ nr, value, encoded });
  }
  const out: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const [k, v] of plain) out[k] = v;
  for (const [base, list] of sections) {
    list.sort((a, b) => a.nr - b.nr);
    let charset = "utf-8";
    const bytes: number[] = [];
    let text = "";
    const flush = (): void => {
      if (bytes.length) {
        text += getCodec(charset).decode(Uint8Array.from(bytes));
        bytes.length = 0;
      }
    };
    list.forEach((section, index) => {
      let value = section.value;
      if (section.encoded && index === 0) {
        const first = value.indexOf("'");
        const second = first < 0 ? -1 : value.indexOf("'", first + 1);
        if (second >= 0) {
          charset = value.slice(0, first) || "utf-8";
          value = value.slice(second + 1);
        }
      }
      if (!section.encoded) {
        flush();
        text += value;
        return;
      }
      for (let j = 0; j < value.length; j++) {
        const h = value.slice(j + 1, j + 3);
        if (value[j] === "%" && /^[0-9a-fA-F]{2}$/.test(h)) {
          bytes.push(parseInt(h, 16));
          j += 2;
        } else {
          // Literal chars in an extended value are ASCII by RFC 2231; anything else is kept as its own code.
          flush();
          text += value[j];
        }
      }
    });
    flush();
    out[base] = text;
  }
  return out;
}
