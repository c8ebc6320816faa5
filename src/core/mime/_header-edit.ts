/** In-place edits of one part's header fields: only the field that must change, with its folding kept. */
import { LF, latin1, latin1Bytes, type _Edit } from "./_bytes.js";
import { parseParameterizedValue } from "./_params.js";
import type { HeaderField, MimeNode } from "./scan-message.js";

/** An edit of existing fields, or lines to add at the end of the part's header block. */
export interface _HeaderChange {
  edits: _Edit[];
  adds: string[];
}

function splitField(raw: Uint8Array, field: HeaderField): { head: string; value: string; tail: string } {
  const text = latin1(raw, field.start, field.end);
  const colon = text.indexOf(":");
  let valueEnd = text.length;
  if (valueEnd > colon + 1 && text.charCodeAt(valueEnd - 1) === LF) {
    valueEnd--;
    if (valueEnd > colon + 1 && text[valueEnd - 1] === "\r") valueEnd--;
  }
  return {
    head: text.slice(0, colon + 1),
    value: text.slice(colon + 1, valueEnd),
    tail: text.slice(valueEnd),
  };
}

/**
 * Sets the part's charset parameter to `charset`, touching nothing else of the Content-Type field: an existing
 * parameter is replaced where it stands, a missing one is appended (folded when the line would pass 76).
 */
export function setCharset(raw: Uint8Array, node: MimeNode, charset: string, eol: string): _HeaderChange {
  const field = node.headers.find((f) => f.name.toLowerCase() === "content-type");
  if (!field)
    return { edits: [], adds: [`Content-Type: ${node.contentType.mime}; charset=${charset}${eol}`] };
  const { head, value, tail } = splitField(raw, field);
  const spans = parseParameterizedValue(value).spans.filter((s) => s.base === "charset");
  let next = value;
  if (spans.length > 0) {
    // Right to left, so earlier offsets stay valid; extra charset parameters (RFC 2231 pieces) go with their ";".
    for (let i = spans.length - 1; i >= 0; i--) {
      const span = spans[i];
      if (!span) continue;
      if (i === 0) {
        next = `${next.slice(0, span.start)}charset=${charset}${next.slice(span.end)}`;
      } else {
        let from = span.start;
        while (from > 0 && /\s/.test(next[from - 1] as string)) from--;
        if (from > 0 && next[from - 1] === ";") from--;
        next = next.slice(0, from) + next.slice(span.end);
      }
    }
  } else {
    let end = value.length;
    while (end > 0 && /\s/.test(value[end - 1] as string)) end--;
    const sep = value[end - 1] === ";" ? " " : "; ";
    const before = head + value.slice(0, end);
    const lastLine = before.length - (before.lastIndexOf("\n") + 1);
    const addition =
      lastLine + sep.length + 8 + charset.length > 76
        ? `${sep.trimEnd()}${eol} charset=${charset}`
        : `${sep}charset=${charset}`;
    next = value.slice(0, end) + addition + value.slice(end);
  }
  return { edits: [{ start: field.start, end: field.end, data: latin1Bytes(head + next + tail) }], adds: [] };
}

/** Sets the part's Content-Transfer-Encoding, keeping each field's name as written; adds the field when absent. */
export function setTransferEncoding(
  raw: Uint8Array,
  node: MimeNode,
  encoding: string,
  eol: string,
): _HeaderChange {
  const fields = node.headers.filter((f) => f.name.toLowerCase() === "content-transfer-encoding");
  if (fields.length === 0) return { edits: [], adds: [`Content-Transfer-Encoding: ${encoding}${eol}`] };
  return {
    edits: fields.map((field) => {
      const { head, tail } = splitField(raw, field);
      return { start: field.start, end: field.end, data: latin1Bytes(`${head} ${encoding}${tail}`) };
    }),
    adds: [],
  };
}
