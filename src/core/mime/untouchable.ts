/** Messages that must not be stamped at all (SPEC §6): changing them would break them or make no sense. */
import { findBodyParts } from "./body-parts.js";
import { decodePartText } from "./decode.js";
import type { MimeNode, ScannedMessage } from "./scan-message.js";
import type { SkipReason } from "../types.js";

/** How {@link checkUntouchable} treats protected and calendar messages. */
export interface UntouchableOptions {
  /** @default "skip" */
  protected: "skip" | "wrap" | "reject";
  /** @default "skip" */
  calendar: "skip" | "stamp";
}

/**
 * Why a message is left alone; `rejected` when policy says the message should be refused; `wrap` when it is
 * protected and `protected: wrap` asks for a new stamped body with the original attached (nothing is skipped).
 */
export interface UntouchableVerdict {
  reason: SkipReason;
  detail: string;
  rejected?: boolean;
  wrap?: boolean;
}

const REPORT_TYPES = new Set([
  "multipart/report",
  "message/disposition-notification",
  "message/delivery-status",
  "message/global-delivery-status",
  "message/global-disposition-notification",
]);

// Subject prefixes of out-of-office and other automatic replies from Outlook/Exchange, Gmail and others,
// in the languages they localise them into.
const AUTO_REPLY_SUBJECTS = [
  "automatic reply:",
  "auto reply:",
  "autoreply:",
  "auto-reply:",
  "auto response:",
  "out of office",
  "autosvar",
  "automatisch antwoord",
  "automatische antwort",
  "abwesend",
  "abwesenheitsnotiz",
  "réponse automatique",
  "respuesta automática",
  "risposta automatica",
  "resposta automática",
  "automaattinen vastaus",
  "automatisk svar",
  "automatyczna odpowiedź",
  "automatická odpověď",
  "автоматический ответ",
  "自動応答",
  "自动回复",
];

/**
 * Decides whether a message must be left untouched, and why; undefined when it may be stamped.
 *
 * Checked in order: protected (S/MIME, PGP/MIME, inline PGP), report (DSN/MDN, null return path), auto-reply
 * (Auto-Submitted other than "no", X-Autoreply, X-Autorespond, Precedence: auto_reply, out-of-office subjects),
 * calendar (an iTIP text/calendar part, when `calendar` is "skip"), no-body. With `protected: "wrap"` a protected
 * message that is none of the others gives `{ reason: "protected", wrap: true }`: stamp it by wrapping (its own
 * body may be unreadable, so no-body does not apply).
 *
 * @example
 * const verdict = checkUntouchable(msg, decodeHeaders(msg.headers), { protected: "skip", calendar: "skip" });
 * if (verdict) return skip(verdict.reason);
 */
export function checkUntouchable(
  msg: ScannedMessage,
  headers: Map<string, string[]>,
  options: UntouchableOptions,
): UntouchableVerdict | undefined {
  const nodes = allNodes(msg.root);
  const body = findBodyParts(msg);

  const protection = findProtection(msg, nodes, body);
  if (protection) {
    if (options.protected === "reject") return { reason: "protected", detail: protection, rejected: true };
    if (options.protected === "skip") return { reason: "protected", detail: protection };
  }

  const report = nodes.find((n) => REPORT_TYPES.has(n.contentType.mime));
  if (report) return { reason: "report", detail: `a delivery or read report (${report.contentType.mime})` };

  // Before the null return path: RFC 3834 §3.3 tells auto-responders to send with one, so an out-of-office
  // reply carries both and is best named by what it is.
  const auto = findAutoReply(headers);
  if (auto) return { reason: "auto-reply", detail: auto };

  const returnPath = headers.get("return-path") ?? [];
  if (returnPath.some((v) => v.replace(/\s+/g, "") === "<>")) {
    return {
      reason: "report",
      detail: "a null return path (Return-Path: <>) marks a bounce or notification",
    };
  }

  if (options.calendar === "skip") {
    const invite = nodes.find((n) => isCalendarRequest(msg, n));
    if (invite) {
      const method = invite.contentType.params.method;
      return {
        reason: "calendar",
        detail: `a meeting request or response (text/calendar${method ? `; method=${method}` : ""})`,
      };
    }
  }

  // A signed report, auto-reply or invitation is still one of those; any other protected message is wrapped.
  if (protection) return { reason: "protected", detail: protection, wrap: true };
  if (!body.html && !body.text)
    return { reason: "no-body", detail: "the message has no text/html or text/plain body part" };
  return undefined;
}

function allNodes(root: MimeNode): MimeNode[] {
  const out: MimeNode[] = [];
  const stack = [root];
  while (stack.length) {
    const node = stack.pop() as MimeNode;
    out.push(node);
    for (let i = node.children.length - 1; i >= 0; i--) stack.push(node.children[i] as MimeNode);
  }
  return out;
}

function findProtection(
  msg: ScannedMessage,
  nodes: readonly MimeNode[],
  body: ReturnType<typeof findBodyParts>,
): string | undefined {
  for (const node of nodes) {
    const mime = node.contentType.mime;
    if (mime === "multipart/signed") return "the message is signed (multipart/signed)";
    if (mime === "multipart/encrypted") return "the message is encrypted (multipart/encrypted)";
    if (mime === "application/pkcs7-mime" || mime === "application/x-pkcs7-mime") {
      // An S/MIME root carries "attachment; filename=smime.p7m" too; only a .p7m a user attached is harmless.
      if (node === msg.root || node.disposition?.value !== "attachment") {
        return `the message is S/MIME protected (${mime})`;
      }
    }
  }
  // Inline PGP lives in the text body; an HTML-only message may carry it inside <pre>.
  const node = body.text ?? body.html;
  if (node) {
    const text = safeDecode(msg, node);
    const html = node === body.html;
    // Both armour lines share their start: one search rules both out in a body without it.
    if (!text.includes("-----BEGIN PGP ")) return undefined;
    if (hasArmour(text, "-----BEGIN PGP MESSAGE-----", html))
      return "the body is PGP encrypted (inline armour)";
    if (hasArmour(text, "-----BEGIN PGP SIGNED MESSAGE-----", html))
      return "the body is PGP signed (inline armour)";
  }
  return undefined;
}

/** Armour counts only at the start of a line: a quoted ("> -----BEGIN …") block in a reply is not a signature. */
function hasArmour(text: string, marker: string, html: boolean): boolean {
  let at = text.indexOf(marker);
  while (at >= 0) {
    const prev = text[at - 1];
    if (at === 0 || prev === "\n" || (html && prev === ">")) return true;
    at = text.indexOf(marker, at + marker.length);
  }
  return false;
}

function findAutoReply(headers: Map<string, string[]>): string | undefined {
  const first = (name: string): string | undefined => headers.get(name)?.[0];
  const autoSubmitted = first("auto-submitted");
  if (autoSubmitted !== undefined) {
    const value =
      autoSubmitted
        .split(";")[0]
        ?.replace(/\(.*?\)/g, "")
        .trim()
        .toLowerCase() ?? "";
    if (value !== "no" && value !== "") return `Auto-Submitted: ${autoSubmitted.trim()} (RFC 3834)`;
  }
  if (headers.has("x-autoreply")) return "X-Autoreply header";
  if (headers.has("x-autorespond")) return "X-Autorespond header";
  const precedence = first("precedence")?.trim().toLowerCase();
  if (precedence === "auto_reply") return "Precedence: auto_reply";
  const subject = (first("subject") ?? "").trim().toLowerCase();
  const prefix = AUTO_REPLY_SUBJECTS.find((p) => subject.startsWith(p));
  if (prefix) return `an automatic reply (subject starts with "${prefix}")`;
  // Lotus Notes/Domino: "AUTO: Smith, John is out of the office. (returning …)".
  if (subject.startsWith("auto:") && /\bout of (the )?office\b/.test(subject))
    return 'a Lotus Notes automatic reply (subject "AUTO: … out of the office")';
  return undefined;
}

function isCalendarRequest(msg: ScannedMessage, node: MimeNode): boolean {
  if (node.contentType.mime !== "text/calendar") return false;
  if (node.contentType.params.method !== undefined) return true;
  // A user-attached .ics file is not an invitation; an inline iTIP object is (RFC 5546 §3: METHOD property).
  if (node.disposition?.value === "attachment") return false;
  return /(^|\n)METHOD:/i.test(safeDecode(msg, node));
}

function safeDecode(msg: ScannedMessage, node: MimeNode): string {
  try {
    return decodePartText(msg, node);
  } catch {
    return "";
  }
}
