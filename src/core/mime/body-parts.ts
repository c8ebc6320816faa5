/** Which parts are the message's body (SPEC §4): the primary text/html and text/plain, never attachments. */
import type { MimeNode, ScannedMessage } from "./scan-message.js";

/** The primary body parts of a message. */
export interface BodyParts {
  html?: MimeNode;
  text?: MimeNode;
}

/**
 * Finds the primary HTML and plain-text body parts.
 *
 * multipart/alternative contributes its last HTML and its last plain alternative (RFC 2046 §5.1.4: the last is
 * the preferred one); multipart/related its root (the `start` part, else the first); multipart/mixed and other
 * multiparts the first non-attachment part that holds a body. Attachments, attached messages (message/rfc822)
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
      if (found.html) out.html = found.html;
      if (found.text) out.text = found.text;
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
