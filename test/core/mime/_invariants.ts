/**
 * The fidelity invariants of SPEC §5 as reusable checks: the corpus test and the property tests run every
 * stamped message through them. Each check returns a list of problems (empty = holds), so a property test can
 * report the first counter-example and the corpus test can name the fixture.
 */
import PostalMime from "postal-mime";
import { findBodyParts, type BodyParts } from "../../../src/core/mime/body-parts.js";
import { decodePartText } from "../../../src/core/mime/decode.js";
import { scanMessage, type MimeNode, type ScannedMessage } from "../../../src/core/mime/scan-message.js";

const LIMITS = { maxMimeDepth: 64, maxParts: 5000 };

/** What the checks need to know about the stamps that were inserted. */
export interface InvariantOptions {
  /** The marker header name (`X-Mailstamp`). */
  markerName: string;
  /** A string every HTML stamp run contains (e.g. `class="mailstamp"`). */
  htmlNeedles: readonly string[];
  /** Strings of which every plain-text stamp run contains at least one. */
  textNeedles: readonly string[];
  /** Most insertion runs per part (one per distinct placement position). @default 3 */
  maxRuns?: number;
  /**
   * Content-IDs of embedded images the stamps carry: each must be added exactly once, as an inline base64
   * part in the HTML body's multipart/related (appended, or a new one wrapping the HTML part).
   */
  images?: readonly string[];
}

/** Every body part of one kind: the pieces of a split body, else the one part. */
function partsOf(body: BodyParts, kind: "html" | "text"): MimeNode[] {
  const many = kind === "html" ? body.htmlParts : body.textParts;
  const one = body[kind];
  return many ?? (one ? [one] : []);
}

function nodeAt(root: MimeNode, path: string): MimeNode | undefined {
  if (path === "") return root;
  let node: MimeNode | undefined = root;
  for (const i of path.split(".")) node = node?.children[Number(i) - 1];
  return node;
}

/** An inline image part as mailstamp writes it: image type, base64, a Content-ID, inline disposition. */
function imageCid(msg: ScannedMessage, node: MimeNode): string | undefined {
  const field = (name: string): string | undefined =>
    node.headers.find((f) => f.name.toLowerCase() === name)?.value;
  if (node.contentType.type !== "image" || node.transferEncoding !== "base64") return undefined;
  if (!/^inline\b/i.test(field("content-disposition") ?? "")) return undefined;
  const id = /^<([^>]+)>$/.exec(field("content-id")?.trim() ?? "");
  return id && msg.raw.length > 0 ? id[1] : undefined;
}

function scan(raw: Uint8Array): ScannedMessage | undefined {
  const r = scanMessage(raw, LIMITS);
  return r.ok ? r.message : undefined;
}

const concat = (a: Uint8Array, b: Uint8Array): Uint8Array => new Uint8Array(Buffer.concat([a, b]));

const eq = (a: Uint8Array, b: Uint8Array): boolean =>
  a.length === b.length && Buffer.from(a.buffer, a.byteOffset, a.length).equals(b);

/**
 * True when `after` is `before` with at most `maxRuns` contiguous runs inserted (nothing deleted or changed)
 * and every inserted run together holds at least one needle. An insertion-only alignment found by dynamic
 * programming over (position, inserted count), O(length × inserted), so shared characters at a run's edge
 * ("B" of the original next to "BANNER" of a stamp) cannot mislead it.
 */
export function isInsertionOf(
  before: string,
  after: string,
  needles: readonly string[],
  maxRuns = 3,
): boolean {
  const d = after.length - before.length;
  if (d < 0) return false;
  if (d === 0) return before === after;
  if (!needles.some((n) => after.includes(n) && !before.includes(n)) && needles.length > 0) {
    // Some needle must be new: the inserted text is a stamp, not a shuffle of the original.
    if (!needles.some((n) => count(after, n) > count(before, n))) return false;
  }
  const INF = 1 << 20;
  let m = new Int32Array(d + 1).fill(INF); // runs used, last step a match
  let ins = new Int32Array(d + 1).fill(INF); // runs used, inside an insertion run
  m[0] = 0;
  for (let i = 0; i <= before.length; i++) {
    for (let k = 0; k < d; k++) {
      if (i + k >= after.length) break;
      const viaMatch = (m[k] as number) + 1;
      const viaRun = ins[k] as number;
      const best = Math.min(viaMatch, viaRun);
      if (best < (ins[k + 1] as number)) ins[k + 1] = best;
    }
    if (i === before.length) break;
    const nm = new Int32Array(d + 1).fill(INF);
    const ni = new Int32Array(d + 1).fill(INF);
    const c = before.charCodeAt(i);
    for (let k = 0; k <= d; k++) {
      const best = Math.min(m[k] as number, ins[k] as number);
      if (best < INF && after.charCodeAt(i + k) === c) nm[k] = best;
    }
    m = nm;
    ins = ni;
  }
  return Math.min(m[d] as number, ins[d] as number) <= maxRuns;
}

function count(text: string, needle: string): number {
  let n = 0;
  for (let at = text.indexOf(needle); at >= 0; at = text.indexOf(needle, at + needle.length)) n++;
  return n;
}

function headerBytes(msg: ScannedMessage, node: MimeNode): Uint8Array {
  return msg.raw.subarray(node.start, node.headerEnd);
}

/** Field names and values of a stamped part, with the fields a stamp may change normalised away. */
function stableFields(node: MimeNode): string[] {
  return node.headers
    .filter((f) => !/^(content-transfer-encoding|mime-version)$/i.test(f.name))
    .map((f) =>
      /^content-type$/i.test(f.name)
        ? `${f.name}:${f.value.replace(/;?\s*charset\s*=\s*("[^"]*"|[^;]*)/gi, "").replace(/[;\s]+$/, "")}`
        : `${f.name}:${f.value}`,
    );
}

/** Checks every invariant of one stamped message against its original; returns the problems found. */
export function checkFidelity(
  original: Uint8Array,
  stamped: Uint8Array,
  options: InvariantOptions,
): string[] {
  const problems: string[] = [];
  const before = scan(original);
  if (!before) return ["the original does not scan"];
  const eol = before.lineEnding;
  const markerLine = new RegExp(`^${options.markerName}: [^\\r\\n]*${eol === "\r\n" ? "\\r\\n" : "\\n"}`);
  // The marker goes before the first header field (after an mbox "From " line, if any).
  const at = before.headers[0]?.start ?? 0;
  if (!eq(original.subarray(0, at), stamped.subarray(0, at))) return ["bytes before the first field changed"];
  const head = Buffer.from(stamped.subarray(at, at + 600)).toString("latin1");
  const m = markerLine.exec(head);
  if (!m)
    return [`the header block does not start with a ${options.markerName} line in the message's line ending`];
  const rest = concat(stamped.subarray(0, at), stamped.subarray(at + m[0].length));
  const after = scan(rest);
  if (!after) return ["the output does not scan"];

  const bodyBefore = findBodyParts(before);
  const bodyAfter = findBodyParts(after);
  const stampedPaths = new Set<string>();
  // Paths of HTML parts that now sit as the first part of a new multipart/related (embedded images).
  const wrapped = new Set<string>();
  const addedImages: string[] = [];
  for (const kind of ["html", "text"] as const) {
    const bs = partsOf(bodyBefore, kind);
    const as = partsOf(bodyAfter, kind);
    if (bs.length !== as.length) {
      problems.push(`the ${kind} body has ${bs.length} parts before and ${as.length} after`);
      continue;
    }
    bs.forEach((b, i) => {
      const a = as[i] as MimeNode;
      const moved = a.path === (b.path ? `${b.path}.1` : "1");
      if (moved && kind === "html" && options.images?.length) {
        const wrapper = nodeAt(after.root, b.path) as MimeNode;
        if (wrapper.contentType.mime !== "multipart/related" || wrapper.children[0] !== a)
          problems.push(`${kind} part ${b.path || "root"} moved but not into a multipart/related`);
        wrapper.children.slice(1).forEach((c) => {
          const cid = imageCid(after, c);
          if (cid) addedImages.push(cid);
          else problems.push(`${c.path}: a part other than an inline image next to the wrapped HTML`);
        });
        wrapped.add(b.path);
      } else if (a.path !== b.path) {
        problems.push(`the ${kind} body part moved (${b.path} → ${a.path})`);
        return;
      }
      const changed = !eq(original.subarray(b.start, b.bodyEnd), rest.subarray(a.start, a.bodyEnd));
      if (!changed) return;
      stampedPaths.add(b.path);
      problems.push(...checkStampedPart(before, b, after, a, kind, options));
    });
  }
  if (wrapped.has("")) {
    // A single-part HTML message became multipart/related: every non-Content field stays byte for byte.
    const keep = (msg: ScannedMessage): string[] =>
      msg.headers
        .filter((f) => !/^(content-|mime-version$)/i.test(f.name))
        .map((f) => Buffer.from(msg.raw.subarray(f.start, f.end)).toString("latin1"));
    if (keep(before).join("") !== keep(after).join("")) problems.push("root: non-MIME header fields changed");
  }

  const walk = (b: MimeNode, a: MimeNode): void => {
    const where = b.path || "root";
    if (stampedPaths.has(b.path) || wrapped.has(b.path)) return;
    const containsStamp = [...stampedPaths].some((p) => b.path === "" || p.startsWith(`${b.path}.`));
    if (!containsStamp) {
      if (!eq(original.subarray(b.start, b.bodyEnd), rest.subarray(a.start, a.bodyEnd)))
        problems.push(`${where}: an unstamped part changed`);
      return;
    }
    const hb = headerBytes(before, b);
    const ha = headerBytes(after, a);
    // The root may gain MIME-Version (RFC 2045 §4) when a stamped part's MIME fields changed.
    const added = Buffer.from(ha.subarray(hb.length)).toString("latin1");
    const onlyMimeVersion = b === before.root && /^MIME-Version: 1\.0\r?\n$/.test(added);
    if (!eq(hb, onlyMimeVersion ? ha.subarray(0, hb.length) : ha))
      problems.push(`${where}: header block changed`);
    let extra = a.children.length - b.children.length;
    const holdsHtml = partsOf(bodyBefore, "html").some((h) => b.children.includes(h));
    if (extra > 0 && options.images?.length && b.contentType.mime === "multipart/related" && holdsHtml) {
      // Images appended at the end of the HTML body's own multipart/related.
      for (const c of a.children.slice(b.children.length)) {
        const cid = imageCid(after, c);
        if (cid) addedImages.push(cid);
        else problems.push(`${c.path}: an appended part that is not an inline image`);
      }
    } else if (extra !== 0) {
      problems.push(`${where}: ${b.children.length} children became ${a.children.length}`);
      return;
    }
    extra = Math.max(0, extra);
    const gaps = (msg: ScannedMessage, n: MimeNode): Uint8Array[] => {
      const out: Uint8Array[] = [];
      let pos = n.headerEnd;
      for (const c of n.children) {
        out.push(msg.raw.subarray(pos, c.start));
        pos = c.bodyEnd;
      }
      out.push(msg.raw.subarray(pos, n.bodyEnd));
      return out;
    };
    const gb = gaps(before, b);
    const ga = gaps(after, a);
    // Appended image parts bring their own delimiter lines; the close delimiter and epilogue stay the last gap.
    ga.splice(gb.length - 1, extra);
    gb.forEach((g, i) => {
      const other = ga[i] as Uint8Array;
      if (!eq(g, other)) problems.push(`${where}: preamble, boundary or epilogue bytes changed (gap ${i})`);
    });
    b.children.forEach((c, i) => walk(c, a.children[i] as MimeNode));
  };
  walk(before.root, after.root);
  const want = [...(options.images ?? [])].sort();
  const got = [...addedImages].sort();
  if (partsOf(bodyAfter, "html").length > 0 && stampedPaths.size > 0 && want.length > 0) {
    if (partsOf(bodyBefore, "html").some((h) => stampedPaths.has(h.path)) && want.join() !== got.join())
      problems.push(`embedded images ${JSON.stringify(got)}, expected ${JSON.stringify(want)}`);
  } else if (got.length > 0) problems.push(`images added without a stamped HTML part: ${got.join()}`);
  return problems;
}

function checkStampedPart(
  before: ScannedMessage,
  b: MimeNode,
  after: ScannedMessage,
  a: MimeNode,
  kind: "html" | "text",
  options: InvariantOptions,
): string[] {
  const problems: string[] = [];
  const where = `${kind} part ${b.path || "root"}`;
  // A single-part HTML message wrapped for its images: only its Content-* fields moved into the new part.
  const moved = b.path === "" && a.path !== "";
  const fb = stableFields(b).filter((f) => !moved || /^content-/i.test(f));
  // A part without Content-Type (RFC 2045 §5.2 default) may gain one when it moves to UTF-8.
  const addedType = !b.headers.some((f) => /^content-type$/i.test(f.name));
  const fa = stableFields(a).filter((f) => !(addedType && /^content-type:text\/plain$/i.test(f)));
  if (fb.join("\n") !== fa.join("\n"))
    problems.push(`${where}: header fields other than charset/CTE changed`);
  const decodedBefore = decodePartText(before, b);
  const decodedAfter = decodePartText(after, a);
  const needles = kind === "html" ? options.htmlNeedles : options.textNeedles;
  if (!isInsertionOf(decodedBefore, decodedAfter, needles, options.maxRuns ?? 3)) {
    problems.push(`${where}: decoded text is not the original with stamps inserted`);
  }
  const body = Buffer.from(after.raw.subarray(a.bodyStart, a.bodyEnd)).toString("latin1");
  const lines = body.split(/\r?\n/);
  const limit = a.transferEncoding === "quoted-printable" || a.transferEncoding === "base64" ? 76 : 998;
  const longest = Math.max(...lines.map((l) => l.length));
  const longestBefore = Math.max(
    ...Buffer.from(before.raw.subarray(b.bodyStart, b.bodyEnd))
      .toString("latin1")
      .split(/\r?\n/)
      .map((l) => l.length),
  );
  // A line that was already too long upstream is the sender's; a stamp must not create one.
  if (longest > limit && longest > longestBefore)
    problems.push(`${where}: a ${longest}-octet line (limit ${limit})`);
  if (
    after.lineEnding === "\r\n" &&
    /[^\r]\n/.test(body) &&
    !/[^\r]\n/.test(Buffer.from(before.raw.subarray(b.bodyStart, b.bodyEnd)).toString("latin1"))
  )
    problems.push(`${where}: bare LF in a CRLF message`);
  if (
    after.lineEnding === "\n" &&
    body.includes("\r") &&
    !Buffer.from(before.raw.subarray(b.bodyStart, b.bodyEnd)).includes(0x0d)
  )
    problems.push(`${where}: CR in an LF message`);
  return problems;
}

/** Attachments as postal-mime reports them, reduced to what a recipient sees. */
export async function attachmentDigest(raw: Uint8Array): Promise<string[]> {
  const parsed = await PostalMime.parse(raw);
  return parsed.attachments.map((att) => {
    const content =
      typeof att.content === "string"
        ? att.content
        : Buffer.from(
            att.content instanceof ArrayBuffer ? new Uint8Array(att.content) : att.content,
          ).toString("base64");
    return JSON.stringify([att.filename, att.mimeType, att.disposition, att.contentId ?? null, content]);
  });
}
