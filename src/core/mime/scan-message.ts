/**
 * The MIME structure of a message as byte offsets into the original bytes (SPEC §5: never re-serialise).
 * One forward pass per nesting level over the bytes; no backtracking regular expressions touch the message.
 */
import { CR, HT, LF, SP, headerText, indexOfLf, latin1, latin1Bytes } from "./_bytes.js";
import { parseParameterizedValue } from "./_params.js";
import { MailstampError } from "../errors.js";

/** One header field as it appears in the bytes. */
export interface HeaderField {
  /** The field name as written (case kept). */
  name: string;
  /** Unfolded value, raw (not RFC 2047 decoded); UTF-8 when the bytes are valid UTF-8, else Latin-1. */
  value: string;
  /** Byte offset of the field's first byte. */
  start: number;
  /** Byte offset after the whole field, including folded lines and its line ending. */
  end: number;
}

/** A parsed Content-Type. */
export interface ContentType {
  type: string;
  subtype: string;
  /** Lower-case `type/subtype`, e.g. `text/html`. */
  mime: string;
  /** Lower-case keys, RFC 2231 continuations joined. */
  params: Record<string, string>;
}

/** One MIME entity with the byte ranges of its header block and body. */
export interface MimeNode {
  /** "" for the root, "1", "1.2", … for nested parts (IMAP section numbering). */
  path: string;
  depth: number;
  start: number;
  /** Offset after the last header field (where a new field would go). */
  headerEnd: number;
  bodyStart: number;
  bodyEnd: number;
  headers: HeaderField[];
  /** Default `text/plain; charset=us-ascii` (RFC 2045 §5.2); children of multipart/digest default to message/rfc822. */
  contentType: ContentType;
  disposition?: { value: string; params: Record<string, string> };
  /** Lower-case, default "7bit". */
  transferEncoding: string;
  boundary?: string;
  /** Multipart children; a message/rfc822 part is not descended into (it is never stamped). */
  children: MimeNode[];
  /** Content-Disposition attachment, or a filename/name parameter on a part not marked inline. */
  isAttachment: boolean;
  /** A Content-Type field is present but not `type/subtype`, so the RFC 2045 default stands in for it. */
  invalidContentType?: true;
}

/** A message whose structure is known. */
export interface ScannedMessage {
  raw: Uint8Array;
  root: MimeNode;
  /** The root's header fields. */
  headers: HeaderField[];
  /** The message's own line ending (from its first line); new text follows it. */
  lineEnding: "\r\n" | "\n";
  /** Number of MIME entities, the root included. */
  partCount: number;
}

/** The outcome of {@link scanMessage}; a message that cannot be scanned is an outcome, not an exception. */
export type ScanResult =
  { ok: true; message: ScannedMessage } | { ok: false; reason: "limits" | "unparseable"; detail: string };

class LimitExceeded extends Error {}
/** A structure that parsers read in different ways: changing it could change what the recipient sees. */
class Ambiguous extends Error {}

interface Ctx {
  raw: Uint8Array;
  maxDepth: number;
  maxParts: number;
  count: number;
}

/**
 * Scans a raw message into its MIME tree with byte offsets, without copying or re-serialising anything.
 *
 * The root is depth 0; a part nested deeper than `maxMimeDepth` or more than `maxParts` entities in total gives
 * `reason: "limits"`. Bytes without a single header field give `reason: "unparseable"`.
 *
 * @example
 * const scan = scanMessage(raw, { maxMimeDepth: 32, maxParts: 2000 });
 * if (scan.ok) console.log(scan.message.root.contentType.mime); // "multipart/alternative"
 * @throws {MailstampError} `OPTIONS_INVALID` when a limit is not a positive integer (misuse, never the message).
 */
export function scanMessage(raw: Uint8Array, limits: { maxMimeDepth: number; maxParts: number }): ScanResult {
  validateLimits(limits);
  try {
    if (!(raw instanceof Uint8Array) || raw.length === 0) {
      return { ok: false, reason: "unparseable", detail: "the message is empty" };
    }
    const ctx: Ctx = { raw, maxDepth: limits.maxMimeDepth, maxParts: limits.maxParts, count: 0 };
    const root = parseNode(ctx, 0, raw.length, "", 0, false, true, []);
    if (root.headers.length === 0) {
      return { ok: false, reason: "unparseable", detail: "the message has no header fields" };
    }
    return {
      ok: true,
      message: { raw, root, headers: root.headers, lineEnding: detectLineEnding(raw), partCount: ctx.count },
    };
  } catch (err) {
    if (err instanceof LimitExceeded) return { ok: false, reason: "limits", detail: err.message };
    if (err instanceof Ambiguous) return { ok: false, reason: "unparseable", detail: err.message };
    return {
      ok: false,
      reason: "unparseable",
      detail: `the MIME structure could not be read (${String(err)})`,
    };
  }
}

function validateLimits(limits: { maxMimeDepth: number; maxParts: number } | undefined): void {
  // A falsy or non-integer limit must never silently mean "unlimited": that would let a message switch it off.
  for (const key of ["maxMimeDepth", "maxParts"] as const) {
    const v = limits?.[key];
    if (typeof v !== "number" || !Number.isInteger(v) || v < 1) {
      throw new MailstampError(
        "OPTIONS_INVALID",
        `limits.${key} must be a positive integer, got ${String(v)}`,
      );
    }
  }
}

function detectLineEnding(raw: Uint8Array): "\r\n" | "\n" {
  const lf = raw.indexOf(LF);
  if (lf < 0) return "\r\n";
  return lf > 0 && raw[lf - 1] === CR ? "\r\n" : "\n";
}

const DEFAULT_TEXT: ContentType = {
  type: "text",
  subtype: "plain",
  mime: "text/plain",
  params: { charset: "us-ascii" },
};
const DEFAULT_MESSAGE: ContentType = {
  type: "message",
  subtype: "rfc822",
  mime: "message/rfc822",
  params: {},
};

function parseNode(
  ctx: Ctx,
  start: number,
  end: number,
  path: string,
  depth: number,
  inDigest: boolean,
  isRoot: boolean,
  ancestors: readonly string[],
): MimeNode {
  ctx.count++;
  if (ctx.count > ctx.maxParts) throw new LimitExceeded(`more than ${ctx.maxParts} MIME parts (maxParts)`);
  if (depth > ctx.maxDepth)
    throw new LimitExceeded(`MIME parts nested deeper than ${ctx.maxDepth} (maxMimeDepth)`);

  const { fields, headerEnd, bodyStart } = scanHeaders(ctx.raw, start, end, isRoot);
  const where = path ? `part ${path}` : "the message";
  const ctField = single(fields, "content-type", where);
  single(fields, "content-transfer-encoding", where);
  const contentType = ctField
    ? parseContentType(ctField.value, inDigest)
    : inDigest
      ? DEFAULT_MESSAGE
      : DEFAULT_TEXT;
  const dispField = fields.find((f) => f.name.toLowerCase() === "content-disposition");
  const cteField = fields.find((f) => f.name.toLowerCase() === "content-transfer-encoding");
  const transferEncoding = cteField
    ? cteField.value.replace(/\(.*$/, "").trim().toLowerCase() || "7bit"
    : "7bit";

  const node: MimeNode = {
    path,
    depth,
    start,
    headerEnd,
    bodyStart,
    bodyEnd: end,
    headers: fields,
    contentType: { ...contentType, params: { ...contentType.params } },
    transferEncoding,
    children: [],
    isAttachment: false,
  };
  if (ctField && contentType.mime !== parsedMime(ctField.value)) node.invalidContentType = true;
  if (dispField) {
    const d = parseParameterizedValue(dispField.value);
    node.disposition = { value: d.value, params: d.params };
  }
  // The name of an invalid Content-Type (`X-ZIP; name="a.zip"`) still says the part is a file.
  const ctParams = ctField ? parseParameterizedValue(ctField.value).params : {};
  const named = node.disposition?.params.filename !== undefined || ctParams.name !== undefined;
  node.isAttachment =
    node.disposition?.value === "attachment" || (named && node.disposition?.value !== "inline");

  if (contentType.type === "multipart" && ctField) {
    // The boundary is matched as bytes, so it is read from a Latin-1 view (one char per byte).
    const boundary = parseParameterizedValue(
      latin1(ctx.raw, ctField.start, ctField.end).replace(/^[^:]*:/, ""),
    ).params.boundary;
    // RFC 2046 §5.1.1: the boundary is required, and must not occur inside an enclosed part. Without it, or
    // with a nested multipart that reuses an enclosing boundary, parsers disagree on where parts end.
    if (!boundary) throw new Ambiguous(`${where} is ${contentType.mime} without a boundary parameter`);
    if (ancestors.includes(boundary)) {
      throw new Ambiguous(`${where} reuses the boundary of an enclosing multipart`);
    }
    node.boundary = boundary;
    const spans = splitMultipart(ctx, bodyStart, end, latin1Bytes(`--${boundary}`));
    const digest = contentType.subtype === "digest";
    const inner = [...ancestors, boundary];
    node.children = spans.map(([s, e], i) =>
      parseNode(ctx, s, e, path ? `${path}.${i + 1}` : `${i + 1}`, depth + 1, digest, false, inner),
    );
  }
  return node;
}

/**
 * The one field of this name; repeated fields that disagree make the part ambiguous (first-wins and last-wins
 * parsers would read different types or encodings), while exact repeats are harmless.
 */
function single(fields: readonly HeaderField[], name: string, where: string): HeaderField | undefined {
  let found: HeaderField | undefined;
  for (const f of fields) {
    if (f.name.toLowerCase() !== name) continue;
    if (!found) found = f;
    else if (f.value.trim().toLowerCase() !== found.value.trim().toLowerCase()) {
      throw new Ambiguous(`${where} has conflicting ${found.name} fields`);
    }
  }
  return found;
}

function parsedMime(value: string): string {
  return parseParameterizedValue(value).value.replace(/\s+/g, "");
}

function parseContentType(value: string, inDigest: boolean): ContentType {
  const parsed = parseParameterizedValue(value);
  const slash = parsed.value.indexOf("/");
  const type = slash < 0 ? "" : parsed.value.slice(0, slash).trim();
  const subtype = slash < 0 ? "" : parsed.value.slice(slash + 1).trim();
  // RFC 2045 §5.2: a syntactically invalid Content-Type is treated as the default.
  if (!isToken(type) || !isToken(subtype)) {
    const fallback = inDigest ? DEFAULT_MESSAGE : DEFAULT_TEXT;
    return { ...fallback, params: { ...fallback.params } };
  }
  const params = parsed.params;
  if (type === "text" && params.charset === undefined) params.charset = "us-ascii";
  return { type, subtype, mime: `${type}/${subtype}`, params };
}

function isToken(s: string): boolean {
  if (s.length === 0) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c <= 0x20 || c >= 0x7f || '()<>@,;:\\"/[]?='.includes(s[i] as string)) return false;
  }
  return true;
}

/** True when a header line starts with a field name and a colon (RFC 5322 §2.2; obsolete WSP before ":" allowed). */
function fieldNameEnd(raw: Uint8Array, pos: number, contentEnd: number): number {
  let i = pos;
  while (i < contentEnd) {
    const c = raw[i] as number;
    if (c === 0x3a || c <= 0x20 || c >= 0x7f) break;
    i++;
  }
  if (i === pos) return -1;
  const nameEnd = i;
  while (i < contentEnd && (raw[i] === SP || raw[i] === HT)) i++;
  return i < contentEnd && raw[i] === 0x3a ? nameEnd : -1;
}

function scanHeaders(
  raw: Uint8Array,
  start: number,
  end: number,
  isRoot: boolean,
): { fields: HeaderField[]; headerEnd: number; bodyStart: number } {
  const fields: HeaderField[] = [];
  const pending: Array<{ start: number; nameEnd: number; end: number }> = [];
  let pos = start;
  let headerEnd = end;
  let bodyStart = end;
  while (pos < end) {
    const lf = indexOfLf(raw, pos, end);
    const next = lf < 0 ? end : lf + 1;
    let contentEnd = lf < 0 ? end : lf;
    if (contentEnd > pos && raw[contentEnd - 1] === CR) contentEnd--;
    if (contentEnd === pos) {
      headerEnd = pos;
      bodyStart = next;
      break;
    }
    const first = raw[pos];
    const last = pending[pending.length - 1];
    if (first === SP || first === HT) {
      if (last) last.end = next;
      else if (!isRoot) {
        headerEnd = bodyStart = start;
        break;
      }
    } else {
      const nameEnd = fieldNameEnd(raw, pos, contentEnd);
      if (nameEnd >= 0) pending.push({ start: pos, nameEnd, end: next });
      else if (pending.length === 0 && !isRoot) {
        // A part that starts with body text has no header block at all.
        headerEnd = bodyStart = start;
        break;
      } else if (pending.length > 0) {
        // A line that is neither a field nor a continuation inside the header block: RFC 5322 readers differ
        // on whether the body starts here (Python: yes; others: junk header), so the body cannot be placed.
        throw new Ambiguous(
          `${isRoot ? "the message" : "a part"} has a header line without a field name or blank line`,
        );
      }
      // Otherwise a stray line before the first field (an mbox "From " line) is kept as bytes.
    }
    pos = next;
  }
  for (const p of pending) {
    const colon = raw.indexOf(0x3a, p.nameEnd);
    const value = headerText(raw, colon + 1, p.end)
      .replace(/[\r\n]+/g, "")
      .trim();
    fields.push({ name: latin1(raw, p.start, p.nameEnd), value, start: p.start, end: p.end });
  }
  return { fields, headerEnd, bodyStart };
}

/**
 * Splits a multipart body at its delimiter lines (RFC 2046 §5.1.1): the line break before a delimiter belongs
 * to the delimiter, a close delimiter ends the parts (the rest is epilogue), and a missing close delimiter
 * ends the last part at the end of the body.
 */
function splitMultipart(
  ctx: Ctx,
  bodyStart: number,
  end: number,
  delim: Uint8Array,
): Array<[number, number]> {
  const raw = ctx.raw;
  // Native search for the delimiter bytes, then a check that the hit starts a line: a 25 MB attachment is
  // skipped in a few memchr-speed jumps instead of a JavaScript step per line.
  const haystack = Buffer.from(raw.buffer, raw.byteOffset, end);
  const spans: Array<[number, number]> = [];
  let partStart = -1;
  let from = bodyStart;
  let closed = false;
  while (from < end) {
    const pos = haystack.indexOf(delim, from);
    if (pos < 0) break;
    if (pos !== bodyStart && raw[pos - 1] !== LF) {
      from = pos + 1;
      continue;
    }
    const lf = indexOfLf(raw, pos, end);
    const next = lf < 0 ? end : lf + 1;
    let contentEnd = lf < 0 ? end : lf;
    if (contentEnd > pos && raw[contentEnd - 1] === CR) contentEnd--;
    const kind = delimiterKind(raw, pos, contentEnd, delim);
    if (kind === undefined) {
      from = pos + 1;
      continue;
    }
    if (partStart >= 0) {
      let partEnd = pos;
      if (partEnd > partStart && raw[partEnd - 1] === LF) {
        partEnd--;
        if (partEnd > partStart && raw[partEnd - 1] === CR) partEnd--;
      }
      spans.push([partStart, partEnd]);
      if (ctx.count + spans.length > ctx.maxParts) {
        throw new LimitExceeded(`more than ${ctx.maxParts} MIME parts (maxParts)`);
      }
    }
    if (kind === "close") {
      closed = true;
      break;
    }
    partStart = next;
    from = next;
  }
  if (!closed && partStart >= 0 && partStart < end) spans.push([partStart, end]);
  return spans;
}

function delimiterKind(
  raw: Uint8Array,
  pos: number,
  contentEnd: number,
  delim: Uint8Array,
): "open" | "close" | undefined {
  if (contentEnd - pos < delim.length) return undefined;
  for (let i = 0; i < delim.length; i++) if (raw[pos + i] !== delim[i]) return undefined;
  let i = pos + delim.length;
  let kind: "open" | "close" = "open";
  if (i + 1 < contentEnd && raw[i] === 0x2d && raw[i + 1] === 0x2d) {
    kind = "close";
    i += 2;
  }
  // Transport padding (RFC 2046 §5.1.1) may follow; anything else means a longer boundary, not this one.
  while (i < contentEnd && (raw[i] === SP || raw[i] === HT)) i++;
  return i === contentEnd ? kind : undefined;
}
