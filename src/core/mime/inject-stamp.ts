/**
 * Splices stamps into a message's body parts and changes nothing else (SPEC §5): every byte outside the stamped
 * parts stays as it was, and decoding a stamped part gives the original text with each stamp at one position.
 */
import {
  LF,
  applyEdits,
  concatBytes,
  insertedLinesFit,
  isAscii,
  latin1Bytes,
  longestLine,
  type _Edit,
} from "./_bytes.js";
import { _freshBoundary } from "./_boundary.js";
import { _imagePart, _invalidImage, _uniqueImages } from "./_inline-images.js";
import { getCodec, utf8Codec, type _Codec } from "./_charset.js";
import { setCharset, setTransferEncoding } from "./_header-edit.js";
import { spliceBase64, spliceQuotedPrintable, type _DecodedInsertion } from "./_splice-encoded.js";
import { htmlEndIndex, htmlTopIndex } from "./_html-position.js";
import { mapIndicesToBytes } from "./_index-map.js";
import { findBodyParts } from "./body-parts.js";
import { decodePartBytes, decodePartText } from "./decode.js";
import { encodeBase64, encodeQuotedPrintableBytes } from "./encode.js";
import { scanMessage, type MimeNode, type ScannedMessage } from "./scan-message.js";
import { MailstampError } from "../errors.js";
import type { EmbeddedImage } from "../render/render-template.js";
import type { BodyPartType, Placement, SkipReason } from "../types.js";

/** One rendered template to place into the message. */
export interface StampInsert {
  /** The template name (reported back in `applied`). */
  id: string;
  /** Goes into the HTML body; "" leaves the HTML body alone. */
  html: string;
  /** Goes into the plain-text body; "" leaves the text body alone. */
  text: string;
  placement: Placement;
  /**
   * Images `html` references by `cid:` URLs: added as inline parts (base64, `Content-ID`) in the HTML body's
   * multipart/related, or in a new one around the HTML part; each Content-ID once per message, and never
   * when no HTML part was stamped.
   */
  images?: EmbeddedImage[];
}

/** Options of {@link injectStamp}. */
export interface InjectOptions {
  /** Header to add (prepended as the first header line, using the message's line ending). */
  marker?: { name: string; value: string };
  /** Remove every existing header field with this name first (an invalid marker). */
  removeHeader?: string;
  /** Where `under-reply` goes in the decoded body; absent or undefined result → end of body (like bottom). */
  locateReply?: (kind: BodyPartType, decoded: string) => { index: number; pattern: string } | undefined;
  /** @default { maxMimeDepth: 32, maxParts: 2000 } */
  limits?: { maxMimeDepth: number; maxParts: number };
}

/** The stamped message and what went where, or why nothing was changed. */
export type InjectResult =
  | {
      ok: true;
      message: Uint8Array;
      applied: Array<{ id: string; parts: BodyPartType[]; boundary?: Partial<Record<BodyPartType, string>> }>;
    }
  | { ok: false; reason: SkipReason; detail: string };

const DEFAULT_LIMITS = { maxMimeDepth: 32, maxParts: 2000 };
const SUPPORTED_CTE = new Set(["7bit", "8bit", "binary", "quoted-printable", "base64"]);
const RANK: Record<Placement, number> = { top: 0, "under-reply": 1, bottom: 2 };
const PLACEMENTS = new Set<string>(["top", "under-reply", "bottom"]);

/**
 * Inserts stamps into the HTML and plain-text body of a raw message, splicing bytes instead of re-serialising.
 *
 * @example
 * const result = injectStamp(raw, [{ id: "legal", html: "<p>Confidential</p>", text: "Confidential", placement: "bottom" }],
 *   { marker: { name: "X-Mailstamp", value: "v=1" } });
 * if (result.ok) send(result.message);
 * @throws {MailstampError} `OPTIONS_INVALID` for malformed inserts, limits or marker (misuse); never for the message.
 */
export function injectStamp(
  raw: Uint8Array | string,
  inserts: readonly StampInsert[],
  options: InjectOptions = {},
): InjectResult {
  validate(inserts, options);
  const bytes = typeof raw === "string" ? new TextEncoder().encode(raw) : raw;
  const scan = scanMessage(bytes, options.limits ?? DEFAULT_LIMITS);
  if (!scan.ok) return scan;
  return injectIntoScanned(scan.message, inserts, options);
}

/**
 * {@link injectStamp} for a message that was already scanned, so the stamper reads the structure only once.
 *
 * @example
 * const scan = scanMessage(raw, limits); if (scan.ok) injectIntoScanned(scan.message, inserts, { marker });
 * @throws {MailstampError} `OPTIONS_INVALID` for malformed inserts or marker (misuse); never for the message.
 */
export function injectIntoScanned(
  msg: ScannedMessage,
  inserts: readonly StampInsert[],
  options: InjectOptions = {},
): InjectResult {
  validate(inserts, options);
  try {
    return inject(msg, inserts, options);
  } catch (err) {
    return { ok: false, reason: "unparseable", detail: `the message could not be stamped (${String(err)})` };
  }
}

function validate(inserts: readonly StampInsert[], options: InjectOptions): void {
  const fail = (what: string): never => {
    throw new MailstampError("OPTIONS_INVALID", what);
  };
  if (!Array.isArray(inserts)) fail("inserts must be an array");
  inserts.forEach((ins, i) => {
    if (typeof ins !== "object" || ins === null) fail(`inserts[${i}] must be an object`);
    if (typeof ins.id !== "string") fail(`inserts[${i}].id must be a string`);
    if (typeof ins.html !== "string") fail(`inserts[${i}].html must be a string`);
    if (typeof ins.text !== "string") fail(`inserts[${i}].text must be a string`);
    if (!PLACEMENTS.has(ins.placement))
      fail(`inserts[${i}].placement must be one of top, under-reply, bottom`);
    if (ins.images !== undefined) {
      if (!Array.isArray(ins.images)) fail(`inserts[${i}].images must be an array`);
      ins.images.forEach((image, j) => {
        const problem = _invalidImage(image);
        if (problem) fail(`inserts[${i}].images[${j}]: ${problem}`);
      });
    }
  });
  // A CR or LF in a header we write would let a value smuggle in header fields of its own.
  if (options.marker !== undefined) {
    if (!isFieldName(options.marker.name))
      fail(`marker.name is not a valid header field name: ${options.marker.name}`);
    if (typeof options.marker.value !== "string" || /[\r\n]/.test(options.marker.value)) {
      fail("marker.value must be a single-line string");
    }
  }
  if (options.removeHeader !== undefined && !isFieldName(options.removeHeader)) {
    fail(`removeHeader is not a valid header field name: ${String(options.removeHeader)}`);
  }
}

function isFieldName(name: unknown): name is string {
  if (typeof name !== "string" || name.length === 0) return false;
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c <= 0x20 || c >= 0x7f || c === 0x3a) return false;
  }
  return true;
}

interface Wanted {
  idx: number;
  placement: Placement;
  content: string;
}

function inject(msg: ScannedMessage, inserts: readonly StampInsert[], options: InjectOptions): InjectResult {
  const body = findBodyParts(msg);
  if (!body.html && !body.text) {
    return { ok: false, reason: "no-body", detail: "the message has no text/html or text/plain body part" };
  }
  const eol = msg.lineEnding;
  // Edits inside one stamped part (its own fields and body), kept apart so a part can be moved whole into a
  // new multipart/related with its edits applied.
  const partEdits = new Map<MimeNode, _Edit[]>();
  const adds = new Map<MimeNode, string[]>();
  const applied = inserts.map((ins) => ({
    id: ins.id,
    parts: [] as BodyPartType[],
    boundary: {} as Partial<Record<BodyPartType, string>>,
  }));
  const failures: string[] = [];
  let stampedAny = false;
  let headersChanged = false;
  const hits = new Map<MimeNode, ReplyHit | null>();
  const replyHit = (node: MimeNode, kind: BodyPartType): ReplyHit | null => {
    let hit = hits.get(node);
    if (hit === undefined) {
      hit = options.locateReply
        ? (locate(options.locateReply, kind, decodePartText(msg, node)) ?? null)
        : null;
      hits.set(node, hit);
    }
    return hit;
  };
  // The HTML parts that took stamps, in display order, with the inserts they took (for their images).
  const htmlTargets: Array<{ node: MimeNode; idx: number[] }> = [];

  for (const [kind, nodes] of [
    ["text/html", body.htmlParts ?? (body.html ? [body.html] : [])],
    ["text/plain", body.textParts ?? (body.text ? [body.text] : [])],
  ] as const) {
    if (nodes.length === 0) continue;
    const wanted: Wanted[] = inserts.flatMap((ins, idx) => {
      const content = kind === "text/html" ? ins.html : ins.text;
      return content ? [{ idx, placement: ins.placement, content }] : [];
    });
    if (wanted.length === 0) continue;
    // A body split into several parts (Apple Mail) gets each stamp once, at the visual position it names.
    const byNode = new Map<MimeNode, Wanted[]>();
    for (const w of wanted) {
      const node = pickPart(nodes, w.placement, (n) => replyHit(n, kind) !== null);
      byNode.set(node, [...(byNode.get(node) ?? []), w]);
    }
    for (const node of nodes) {
      const mine = byNode.get(node);
      if (!mine) continue;
      const part = stampPart(msg, node, kind, mine, () => replyHit(node, kind));
      if (!part.ok) {
        failures.push(part.detail);
        continue;
      }
      stampedAny = true;
      partEdits.set(node, part.edits);
      if (part.adds.length) {
        adds.set(node, part.adds);
        headersChanged = true;
      }
      if (part.fieldsChanged) headersChanged = true;
      for (const w of mine) {
        const entry = applied[w.idx];
        if (!entry) continue;
        entry.parts.push(kind);
        const pattern = part.patterns.get(w.idx);
        if (pattern !== undefined) entry.boundary[kind] = pattern;
      }
      if (kind === "text/html") htmlTargets.push({ node, idx: mine.map((w) => w.idx) });
    }
  }
  if (!stampedAny && failures.length > 0)
    return { ok: false, reason: "unparseable", detail: failures.join("; ") };

  // Embedded images (RFC 2387): next to the first stamped HTML part, in its multipart/related or a new one.
  // Content-IDs resolve message-wide in every common client, so a split body needs them only once.
  const images = _uniqueImages(htmlTargets.flatMap((t) => t.idx.map((i) => inserts[i]?.images)));
  const extraEdits: _Edit[] = [];
  let rootWrap: { boundary: string; images: string } | undefined;
  const target = htmlTargets[0]?.node;
  if (images.length > 0 && target) {
    const parent = parentOf(msg.root, target);
    if (parent?.contentType.mime === "multipart/related" && parent.boundary !== undefined) {
      const last = parent.children[parent.children.length - 1] as MimeNode;
      const parts = images.map((image) => `${eol}--${parent.boundary}${eol}${_imagePart(image, eol)}`);
      extraEdits.push({ start: last.bodyEnd, end: last.bodyEnd, data: latin1Bytes(parts.join("")) });
    } else {
      const boundary = _freshBoundary(
        msg.raw.subarray(target.start, target.headerEnd),
        [msg.raw, ...(partEdits.get(target) ?? []).map((e) => e.data)],
        ancestorBoundaries(msg.root, target) ?? [],
      );
      const parts = images.map((image) => `${eol}--${boundary}${eol}${_imagePart(image, eol)}`).join("");
      if (target === msg.root) rootWrap = { boundary, images: parts };
      else {
        // The HTML part moves whole (its header fields included) into a new multipart/related in its place.
        const own = [...(partEdits.get(target) ?? [])];
        const lines = adds.get(target);
        if (lines || needsSeparator(msg, target))
          own.push(headerBlockInsertion(msg, target, lines ?? [], eol));
        const shifted = own.map((e) => ({ ...e, start: e.start - target.start, end: e.end - target.start }));
        const inner = applyEdits(msg.raw.subarray(target.start, target.bodyEnd), shifted);
        const head = `${relatedField(boundary, eol)}${eol}${eol}--${boundary}${eol}`;
        const tail = `${parts}${eol}--${boundary}--`;
        partEdits.delete(target);
        adds.delete(target);
        extraEdits.push({
          start: target.start,
          end: target.bodyEnd,
          data: concatBytes([latin1Bytes(head), inner, latin1Bytes(tail)]),
        });
        headersChanged = true;
      }
    }
  }

  const edits: _Edit[] = [];
  if (rootWrap) edits.push(...wrapRootInRelated(msg, partEdits, adds, rootWrap, eol));
  for (const list of partEdits.values()) edits.push(...list);
  edits.push(...extraEdits);

  // RFC 2045 §4: the MIME header fields we touched only count under a MIME-Version.
  if ((headersChanged || rootWrap) && !msg.headers.some((f) => f.name.toLowerCase() === "mime-version")) {
    adds.set(msg.root, [...(adds.get(msg.root) ?? []), `MIME-Version: 1.0${eol}`]);
  }
  const headerEdits: _Edit[] = [];
  for (const [node, lines] of adds) headerEdits.push(headerBlockInsertion(msg, node, lines, eol));
  for (const node of partEdits.keys()) {
    if (!adds.has(node) && needsSeparator(msg, node) && edits.some((e) => e.start === node.bodyStart)) {
      headerEdits.push(headerBlockInsertion(msg, node, [], eol));
    }
  }

  const rootEdits: _Edit[] = [];
  if (options.marker) {
    // At the first header field: an mbox "From " line before it must stay the first line.
    const at = msg.headers[0]?.start ?? 0;
    rootEdits.push({
      start: at,
      end: at,
      data: new TextEncoder().encode(`${options.marker.name}: ${options.marker.value}${eol}`),
    });
  }
  if (options.removeHeader !== undefined) {
    const name = options.removeHeader.toLowerCase();
    for (const field of msg.headers) {
      if (field.name.toLowerCase() === name)
        rootEdits.push({ start: field.start, end: field.end, data: new Uint8Array(0) });
    }
  }
  const message = applyEdits(msg.raw, [...rootEdits, ...headerEdits, ...edits]);
  return {
    ok: true,
    message,
    applied: applied.map((a) => (Object.keys(a.boundary).length > 0 ? a : { id: a.id, parts: a.parts })),
  };
}

interface ReplyHit {
  index: number;
  pattern: string;
}

/**
 * The part of a split body a placement names: `top` the first, `bottom` the last, `under-reply` the first
 * part holding the reply boundary, else the last (a new message ends in its last part).
 */
function pickPart(
  nodes: readonly MimeNode[],
  placement: Placement,
  hasBoundary: (node: MimeNode) => boolean,
): MimeNode {
  const first = nodes[0] as MimeNode;
  const last = nodes[nodes.length - 1] as MimeNode;
  if (nodes.length === 1 || placement === "top") return first;
  if (placement === "under-reply") return nodes.find(hasBoundary) ?? last;
  return last;
}

function parentOf(node: MimeNode, target: MimeNode): MimeNode | undefined {
  for (const child of node.children) {
    if (child === target) return node;
    const found = parentOf(child, target);
    if (found) return found;
  }
  return undefined;
}

function relatedField(boundary: string, eol: string): string {
  // RFC 2387 §3.1: `type` names the root part's type; the root is the first part, so no `start` is needed.
  return `Content-Type: multipart/related;${eol} boundary="${boundary}";${eol} type="text/html"`;
}

/**
 * A single-part HTML message whose stamp has images: the root's Content-* fields move into the new first part
 * (with the stamp's charset/encoding edits applied), and the root becomes multipart/related; every other
 * header field stays where and as it was.
 */
function wrapRootInRelated(
  msg: ScannedMessage,
  partEdits: Map<MimeNode, _Edit[]>,
  adds: Map<MimeNode, string[]>,
  wrap: { boundary: string; images: string },
  eol: "\r\n" | "\n",
): _Edit[] {
  const root = msg.root;
  const own = partEdits.get(root) ?? [];
  partEdits.delete(root);
  const bodyEdit = own.find((e) => e.start === root.bodyStart && e.end === root.bodyEnd);
  const moved: Uint8Array[] = [];
  const out: _Edit[] = [];
  for (const field of root.headers) {
    if (!field.name.toLowerCase().startsWith("content-")) continue;
    const edited = own.find((e) => e.start === field.start && e.end === field.end);
    let bytes = edited ? edited.data : msg.raw.subarray(field.start, field.end);
    if (bytes.length > 0 && bytes[bytes.length - 1] !== LF) bytes = concatBytes([bytes, latin1Bytes(eol)]);
    moved.push(bytes);
    out.push({ start: field.start, end: field.end, data: new Uint8Array(0) });
  }
  for (const line of adds.get(root) ?? []) moved.push(latin1Bytes(line));
  adds.set(root, [`${relatedField(wrap.boundary, eol)}${eol}`]);
  const body = bodyEdit ? bodyEdit.data : msg.raw.subarray(root.bodyStart, root.bodyEnd);
  out.push({
    start: root.bodyStart,
    end: root.bodyEnd,
    data: concatBytes([
      latin1Bytes(`--${wrap.boundary}${eol}`),
      ...moved,
      latin1Bytes(eol),
      body,
      latin1Bytes(`${wrap.images}${eol}--${wrap.boundary}--${eol}`),
    ]),
  });
  return out;
}

/** A part whose header block runs into its (empty) body without the blank line that separates them. */
function needsSeparator(msg: ScannedMessage, node: MimeNode): boolean {
  return node.headerEnd === node.bodyStart && node.headers.length > 0;
}

/** New header lines at the end of a part's header block, plus the blank line when the part had none. */
function headerBlockInsertion(msg: ScannedMessage, node: MimeNode, lines: string[], eol: string): _Edit {
  let text = lines.join("");
  if (node.headerEnd === node.bodyStart) {
    const unterminated = node.headerEnd > node.start && msg.raw[node.headerEnd - 1] !== LF;
    if (node.headers.length > 0) text = (unterminated ? eol : "") + text + eol;
    else if (text) text += eol;
  }
  return { start: node.headerEnd, end: node.headerEnd, data: new TextEncoder().encode(text) };
}

type PartResult =
  | { ok: true; edits: _Edit[]; adds: string[]; fieldsChanged: boolean; patterns: Map<number, string> }
  | { ok: false; detail: string };

function stampPart(
  msg: ScannedMessage,
  node: MimeNode,
  kind: BodyPartType,
  wanted: readonly Wanted[],
  replyHit: () => ReplyHit | null,
): PartResult {
  const where = node.path ? `part ${node.path}` : "the body";
  const cte = node.transferEncoding;
  if (!SUPPORTED_CTE.has(cte))
    return { ok: false, detail: `${where} uses the unknown transfer encoding "${cte}"` };
  const eol = msg.lineEnding;
  const raw = msg.raw;
  const original = raw.subarray(node.bodyStart, node.bodyEnd);
  const td = decodePartBytes(msg, node);
  const codec = getCodec(node.contentType.params.charset);
  const decoded = decodePartText(msg, node);
  const html = kind === "text/html";
  const patterns = new Map<number, string>();

  let endIndex: number | undefined;
  const positioned = wanted.map((w, order) => {
    let index: number;
    if (w.placement === "top") index = html ? htmlTopIndex(decoded) : 0;
    else {
      endIndex ??= html ? htmlEndIndex(decoded) : decoded.length;
      index = endIndex;
      const hit = w.placement === "under-reply" ? replyHit() : null;
      if (hit) {
        index = hit.index;
        patterns.set(w.idx, hit.pattern);
      }
    }
    return { index, rank: RANK[w.placement], order, content: normaliseLineBreaks(w.content, eol) };
  });
  positioned.sort((a, b) => a.index - b.index || a.rank - b.rank || a.order - b.order);

  const flowed = !html && node.contentType.params.format?.toLowerCase() === "flowed";
  const insertions: Array<{ index: number; text: string }> = [];
  for (const p of positioned) {
    const last = insertions[insertions.length - 1];
    if (last && last.index === p.index)
      last.text += html ? p.content : eol + eol + textStamp(p.content, eol, flowed);
    else insertions.push({ index: p.index, text: html ? p.content : textStamp(p.content, eol, flowed) });
  }
  if (!html) {
    for (const ins of insertions) {
      const lead = ins.index === 0 ? "" : blankLineLead(decoded, ins.index, eol);
      const trail = ins.index >= decoded.length ? eol : eol + eol;
      ins.text = lead + ins.text + trail;
    }
  } else {
    // A true 7bit HTML part stays 7bit (no re-encoding at all): every non-ASCII stamp character becomes a
    // character reference. A "7bit" part that already holds 8-bit bytes is re-encoded anyway.
    const asciiOnly = cte === "7bit" && isAscii(td);
    for (const ins of insertions) ins.text = toCharacterReferences(ins.text, codec, asciiOnly);
  }

  let target: _Codec = codec;
  let newTd: Uint8Array | undefined;
  let spliced: _DecodedInsertion[] | undefined;
  const encodable = insertions.map((ins) => codec.encode(ins.text));
  if (encodable.every((b) => b !== undefined)) {
    const offsets = mapIndicesToBytes(
      codec,
      td,
      insertions.map((i) => i.index),
      decoded,
    );
    if (offsets) {
      newTd = splice(td, offsets, encodable as Uint8Array[]);
      spliced = offsets.map((at, i) => ({ at, data: encodable[i] as Uint8Array }));
    } else {
      // Charsets whose bytes cannot be mapped directly (UTF-16, UTF-7, CJK) are used only when re-encoding
      // reproduces the original bytes exactly; otherwise the part moves to UTF-8 below.
      const same = codec.encode(decoded);
      if (same && bytesEqual(same, td)) {
        const mapped = mapByReencoding(codec, decoded, td, insertions);
        if (mapped) {
          newTd = splice(td, mapped, encodable as Uint8Array[]);
          spliced = mapped.map((at, i) => ({ at, data: encodable[i] as Uint8Array }));
        } else newTd = codec.encode(assemble(decoded, insertions));
      }
    }
  }
  if (!newTd) {
    // The charset parameter of a Content-Type that readers ignore as invalid would not take effect.
    if (node.invalidContentType) {
      return { ok: false, detail: `${where} needs a charset change but its Content-Type is not valid` };
    }
    target = utf8Codec();
    const pieces = insertions.map((ins) => target.encode(ins.text) as Uint8Array);
    if (isAscii(td) && target.decode(td) === decoded) {
      // ASCII bytes mean the same text in UTF-8 (us-ascii, Latin-1 with no 8-bit byte, …): only the charset
      // parameter changes, and the stamp is spliced into the original bytes.
      const offsets = insertions.map((ins) => ins.index);
      newTd = splice(td, offsets, pieces);
      spliced = offsets.map((at, i) => ({ at, data: pieces[i] as Uint8Array }));
    } else newTd = target.encode(assemble(decoded, insertions)) as Uint8Array;
  }

  const boundaries = ancestorBoundaries(msg.root, node) ?? [];
  const conflict = insertions.some((ins) => collidesWithBoundary(ins.text, boundaries));
  let newCte = cte;
  // RFC 5322 §2.1.1 allows 998 octets a line; a line that was already longer is the sender's, and re-encoding
  // the whole part for it would change every byte of it.
  // Spliced stamps that cannot make any line longer than 998 octets need no scan of the whole part.
  const tooLong = (): boolean =>
    !(spliced && insertedLinesFit(td, spliced, 998)) && longestLine(newTd) > Math.max(998, longestLine(td));
  if (cte === "7bit" && (!isAscii(newTd) || conflict || tooLong())) newCte = "quoted-printable";
  else if (cte === "8bit" && (conflict || tooLong())) newCte = "quoted-printable";
  else if (cte === "binary" && conflict) newCte = "quoted-printable";

  const endsWithLf = original.length > 0 && original[original.length - 1] === LF;
  // Same charset, same encoding: splice into the encoded lines, so only the lines around the stamp change.
  let encoded: Uint8Array | undefined;
  if (spliced && newCte === cte && cte === "quoted-printable")
    encoded = spliceQuotedPrintable(original, td, spliced, eol);
  else if (spliced && newCte === cte && cte === "base64") encoded = spliceBase64(original, td, spliced, eol);
  if (!encoded) {
    if (newCte === "quoted-printable") {
      encoded = encodeQuotedPrintableBytes(newTd, eol);
      // Keep a trailing line break that was only a soft break, so the part still ends the way it did.
      if (cte === "quoted-printable" && endsWithLf && encoded[encoded.length - 1] !== LF)
        encoded = concatBytes([encoded, latin1Bytes(`=${eol}`)]);
    } else if (newCte === "base64") {
      encoded = latin1Bytes(encodeBase64(newTd, eol) + (endsWithLf ? eol : ""));
    } else encoded = newTd;
  }

  const edits: _Edit[] = [];
  const adds: string[] = [];
  let fieldsChanged = false;
  if (target !== codec) {
    const change = setCharset(raw, node, "utf-8", eol);
    edits.push(...change.edits);
    adds.push(...change.adds);
    fieldsChanged ||= change.edits.length > 0;
  }
  if (newCte !== cte) {
    const change = setTransferEncoding(raw, node, newCte, eol);
    edits.push(...change.edits);
    adds.push(...change.adds);
    fieldsChanged ||= change.edits.length > 0;
  }
  edits.push({ start: node.bodyStart, end: node.bodyEnd, data: encoded });
  return { ok: true, edits, adds, fieldsChanged, patterns };
}

function locate(
  locateReply: NonNullable<InjectOptions["locateReply"]>,
  kind: BodyPartType,
  decoded: string,
): { index: number; pattern: string } | undefined {
  const hit = locateReply(kind, decoded);
  if (!hit || !Number.isInteger(hit.index) || hit.index < 0 || hit.index > decoded.length) return undefined;
  return { index: hit.index, pattern: String(hit.pattern) };
}

function normaliseLineBreaks(text: string, eol: string): string {
  return text.replace(/\r\n|\r|\n/g, eol);
}

/** A text stamp without trailing line breaks; in format=flowed (RFC 3676) its lines are fixed and space-stuffed. */
function textStamp(content: string, eol: string, flowed: boolean): string {
  let end = content.length;
  while (end > 0 && (content[end - 1] === "\n" || content[end - 1] === "\r")) end--;
  const text = content.slice(0, end);
  if (!flowed) return text;
  return text
    .split(eol)
    .map((line) => {
      // "-- " is the signature separator (RFC 3676 §4.3) and keeps its space; any other trailing space would
      // mark a soft break and join the line with the next one.
      let l = line;
      if (l !== "-- ") {
        let e = l.length;
        while (e > 0 && (l[e - 1] === " " || l[e - 1] === "\t")) e--;
        l = l.slice(0, e);
      }
      return l.startsWith(" ") || l.startsWith(">") || l.startsWith("From ") ? ` ${l}` : l;
    })
    .join(eol);
}

/** The line breaks needed before a stamp so it starts after a blank line, without doubling existing ones. */
function blankLineLead(decoded: string, index: number, eol: string): string {
  const before = decoded.slice(Math.max(0, index - 4), index);
  if (/\n\r?\n$/.test(before)) return "";
  if (before.endsWith("\n")) return eol;
  return eol + eol;
}

/**
 * Byte offsets of insertion indices in a stateless multi-byte charset (Shift_JIS, EUC-KR, GBK, Big5): the text
 * before and after each index must encode to exactly the original bytes on either side, which also rejects a
 * position inside a stateful ISO-2022-JP run (its encoder would add a shift sequence there).
 */
function mapByReencoding(
  codec: _Codec,
  decoded: string,
  td: Uint8Array,
  insertions: ReadonlyArray<{ index: number }>,
): number[] | undefined {
  const out: number[] = [];
  for (const { index } of insertions) {
    const before = codec.encode(decoded.slice(0, index));
    const after = codec.encode(decoded.slice(index));
    if (!before || !after || before.length + after.length !== td.length) return undefined;
    if (!bytesEqual(before, td.subarray(0, before.length)) || !bytesEqual(after, td.subarray(before.length)))
      return undefined;
    out.push(before.length);
  }
  return out;
}

const NON_ASCII = /[^\0-\x7f]/;
const NON_ASCII_CHARS = /[^\0-\x7f]/gu;

/** HTML never needs a charset change: what the part's charset cannot hold is written as `&#x…;`. */
function toCharacterReferences(html: string, codec: _Codec, asciiOnly: boolean): string {
  // Most stamps are ASCII: nothing to look at character by character (and no string built a character at a time).
  if (!NON_ASCII.test(html)) return html;
  if (!asciiOnly && codec.kind === "utf8" && codec.encode(html) !== undefined) return html;
  const verdict = new Map<string, boolean>();
  // Code point by code point (the u flag keeps a surrogate pair together), only where there is one.
  return html.replace(NON_ASCII_CHARS, (ch) => {
    let ok = verdict.get(ch);
    if (ok === undefined) verdict.set(ch, (ok = !asciiOnly && codec.encode(ch) !== undefined));
    return ok ? ch : `&#x${(ch.codePointAt(0) ?? 0xfffd).toString(16).toUpperCase()};`;
  });
}

function assemble(decoded: string, insertions: ReadonlyArray<{ index: number; text: string }>): string {
  let out = "";
  let pos = 0;
  for (const ins of insertions) {
    out += decoded.slice(pos, ins.index) + ins.text;
    pos = ins.index;
  }
  return out + decoded.slice(pos);
}

function splice(bytes: Uint8Array, offsets: readonly number[], pieces: readonly Uint8Array[]): Uint8Array {
  const chunks: Uint8Array[] = [];
  let pos = 0;
  offsets.forEach((offset, i) => {
    chunks.push(bytes.subarray(pos, offset), pieces[i] as Uint8Array);
    pos = offset;
  });
  chunks.push(bytes.subarray(pos));
  return concatBytes(chunks);
}

function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && Buffer.from(a.buffer, a.byteOffset, a.length).equals(b);
}

function ancestorBoundaries(node: MimeNode, target: MimeNode): string[] | undefined {
  if (node === target) return [];
  for (const child of node.children) {
    const below = ancestorBoundaries(child, target);
    if (below) return node.boundary !== undefined ? [node.boundary, ...below] : below;
  }
  return undefined;
}

/** True when a stamp line would read as a delimiter of an enclosing multipart and cut the message apart. */
function collidesWithBoundary(text: string, boundaries: readonly string[]): boolean {
  if (boundaries.length === 0 || !text.includes("--")) return false;
  return text.split(/\r?\n/).some((line) => boundaries.some((b) => line.startsWith(`--${b}`)));
}
