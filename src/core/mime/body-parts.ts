/** Which parts are the message's body (SPEC §4): the primary text/html and text/plain, never attachments. */
import type { MimeNode, ScannedMessage } from "./scan-message.js";

/** The primary body parts of a message. */
export interface BodyParts {
  /** The HTML body; for a split body, its first inline HTML part. */
  html?: MimeNode;
  /** The plain-text body; for a split body, its first inline text part. */
  text?: MimeNode;
  /**
   * Every inline HTML part of a body split around inline images (Apple Mail), in display order; absent when
   * the HTML body is one part.
   */
  htmlParts?: MimeNode[];
  /** Every inline plain-text part of a split body, in display order; absent when the text body is one part. */
  textParts?: MimeNode[];
}

/**
 * Finds the primary HTML and plain-text body parts.
 *
 * multipart/alternative contributes its last HTML and its last plain alternative (RFC 2046 §5.1.4: the last is
 * the preferred one); multipart/related its root (the `start` part, else the first); multipart/mixed and other
 * multiparts the first non-attachment part that holds a body — except a body split into several inline parts
 * of one kind around inline images (Apple Mail writes `text/html`, image, `text/html` into multipart/mixed),
 * whose parts are all listed in `htmlParts` / `textParts` so one stamp can go at the visual position. Attachments, attached messages (message/rfc822)
 * and other text subtypes (text/calendar, …) are never returned.
 *
 * @example
 * const { html, text } = findBodyParts(scan.message);
 */
export function findBodyParts(msg: ScannedMessage): BodyParts {
  return visit(msg.root);
}

function visit(node: MimeNode): BodyParts {
  if (node.isAttachment) return {};
  const { type, mime } = node.contentType;
  if (type !== "multipart") {
    if (mime === "text/html") return { html: node };
    if (mime === "text/plain") return { text: node };
    return {};
  }
  const subtype = node.contentType.subtype;
  if (subtype === "alternative") {
    const out: BodyParts = {};
    for (const child of node.children) {
      const found = visit(child);
      if (found.html) {
        out.html = found.html;
        if (found.htmlParts) out.htmlParts = found.htmlParts;
        else delete out.htmlParts;
      }
      if (found.text) {
        out.text = found.text;
        if (found.textParts) out.textParts = found.textParts;
        else delete out.textParts;
      }
    }
    return out;
  }
  if (subtype === "related") {
    // RFC 2387 §3.1-3.2: the root is the `start` part, else the first; MHTML writers put resources first and
    // name the root's type in `type`, so a first part of another type yields to the first of that type.
    const start = node.contentType.params.start?.trim();
    const type = node.contentType.params.type?.trim().toLowerCase();
    const first = node.children.find((c) => !c.isAttachment);
    const rootPart =
      (start && node.children.find((c) => sameContentId(c, start))) ||
      (type && first && first.contentType.mime !== type
        ? node.children.find((c) => !c.isAttachment && c.contentType.mime === type)
        : undefined) ||
      first;
    return rootPart ? visit(rootPart) : {};
  }
  // RFC 2046 §5.1.3: inline parts of multipart/mixed are shown one after the other, so inline text parts of
  // one kind around an inline image are one body in pieces (Apple Mail's picture in the middle). Several text
  // parts without an image (a digest's intro and footer, a list footer) keep the first part as the body.
  // A piece wrapped in multipart/related (its own inline images, e.g. an embedded stamp logo) still counts.
  const piece = (c: MimeNode, mime: string): MimeNode | undefined => {
    if (c.isAttachment) return undefined;
    if (c.contentType.mime === mime) return c;
    if (c.contentType.mime !== "multipart/related") return undefined;
    const found = visit(c);
    return mime === "text/html" ? found.html : found.text;
  };
  const html = node.children.map((c) => piece(c, "text/html")).filter((c) => c !== undefined);
  const text = node.children.map((c) => piece(c, "text/plain")).filter((c) => c !== undefined);
  const image = node.children.some((c) => !c.isAttachment && c.contentType.type === "image");
  if (subtype === "mixed" && image && (html.length > 1 || text.length > 1)) {
    const out: BodyParts = {};
    if (html[0]) out.html = html[0];
    if (html.length > 1) out.htmlParts = html;
    if (text[0]) out.text = text[0];
    if (text.length > 1) out.textParts = text;
    return out;
  }
  for (const child of node.children) {
    if (child.isAttachment) continue;
    const found = visit(child);
    if (found.html || found.text) return found;
  }
  return {};
}

function sameContentId(node: MimeNode, start: string): boolean {
  const id = node.headers.find((h) => h.name.toLowerCase() === "content-id")?.value.trim();
  if (!id) return false;
  const strip = (s: string): string => s.replace(/^</, "").replace(/>$/, "").trim();
  return strip(id) === strip(start);
}

/**
 * True when the message carries at least one attachment or attached message.
 *
 * @example
 * hasAttachments(scan.message) // true for multipart/mixed with a PDF part
 */
export function hasAttachments(msg: ScannedMessage): boolean {
  const walk = (node: MimeNode): boolean =>
    node.isAttachment ||
    (node !== msg.root && node.contentType.mime === "message/rfc822") ||
    node.children.some(walk);
  return walk(msg.root);
}
