/**
 * createStamper(): the whole pipeline for one message —
 * analyse (scan, marker, untouchable) → directory → rules → render → inject → result.
 */
import { addressParser } from "postal-mime";
import { parseConfig } from "./config/parse-config.js";
import type { MailstampConfig, ResolvedConfig } from "./config/types.js";
import { createStaticDirectory } from "./directory/static-directory.js";
import type { Directory, DirectoryUser } from "./directory/types.js";
import { MailstampError } from "./errors.js";
import { findBodyParts, hasAttachments } from "./mime/body-parts.js";
import { decodePartText } from "./mime/decode.js";
import { decodeHeaders } from "./mime/headers.js";
import { injectIntoScanned, type StampInsert } from "./mime/inject-stamp.js";
import { createMarkerValue, prependMarker, verifyMarker, type MarkerBinding } from "./mime/marker.js";
import { scanMessage, type ScannedMessage } from "./mime/scan-message.js";
import { checkUntouchable } from "./mime/untouchable.js";
import { wrapProtectedMessage } from "./mime/wrap-protected.js";
import { createTemplateRenderer, type RenderedStamp, type TemplateData } from "./render/render-template.js";
import { htmlToText } from "./render/html-to-text.js";
import { classifyMessage } from "./reply/classify-message.js";
import { findReplyBoundary } from "./reply/find-reply-boundary.js";
import { splitReply, type SplitReply } from "./reply/split-reply.js";
import { findStampInQuote, wrapStamp } from "./reply/stamp-in-quote.js";
import { domainOf, isInternalDomain } from "./rules/domain-match.js";
import { evaluateRules, type SelectedStamp } from "./rules/evaluate-rules.js";
import type {
  AppliedStamp,
  MessageFacts,
  MessageType,
  RecipientInfo,
  SkipReason,
  StampResult,
} from "./types.js";

/** Where the stamper reports what it did; every method is optional. */
export interface Logger {
  debug?(message: string, data?: Record<string, unknown>): void;
  info?(message: string, data?: Record<string, unknown>): void;
  warn?(message: string, data?: Record<string, unknown>): void;
  error?(message: string, data?: Record<string, unknown>): void;
}

export interface StamperOptions {
  /** Where sender details come from. @default the config's static `directory.users` */
  directory?: Directory;
  /** The processing time, for `date` conditions and templates' `now`. @default () => new Date() */
  clock?: () => Date;
  logger?: Logger;
}

export interface StampOptions {
  /** The SMTP envelope; the message's headers are used for whatever is absent. */
  envelope?: { mailFrom?: string | undefined; rcptTo?: readonly string[] | undefined };
}

/** A configured stamper; create it once and call `stamp()` for every message. */
export interface Stamper {
  /** The validated config the stamper runs with. */
  readonly config: ResolvedConfig;
  /**
   * Stamps one message. Never throws for any message bytes: what happened is in the result.
   * @throws MailstampError (`DIRECTORY_FAILED`) when the directory lookup fails, TemplateError when a template
   * cannot be rendered — both are problems of the setup, not of the message, and a transport decides
   * whether to pass the original on or retry later.
   */
  stamp(raw: Uint8Array | string, options?: StampOptions): Promise<StampResult>;
  /**
   * Returns the message marked as processed without stamping it: one header line added (an invalid marker is
   * replaced), every other byte unchanged; a message whose marker already verifies comes back as it is. For a
   * transport that hands a *skipped* message back to a mail server whose routing rule excepts only marked mail
   * (SPEC §5), so the message does not loop back for another pass.
   *
   * @example
   * const result = await stamper.stamp(raw);
   * forward(result.status === "stamped" ? result.message : stamper.mark(raw));
   */
  mark(raw: Uint8Array | string): Uint8Array;
}

const encoder = new TextEncoder();

// The HTML stamp as text, for `once: thread`: rendered stamps are frozen and cached by the renderer, so each is
// converted once, not once per message.
const stampHtmlTexts = new WeakMap<RenderedStamp, string>();

function stampHtmlText(stamp: RenderedStamp): string {
  let text = stampHtmlTexts.get(stamp);
  if (text === undefined) {
    text = htmlToText(stamp.html);
    stampHtmlTexts.set(stamp, text);
  }
  return text;
}

function toBytes(raw: unknown): Uint8Array | undefined {
  if (raw instanceof Uint8Array) return raw;
  if (typeof raw === "string") return encoder.encode(raw);
  if (raw instanceof ArrayBuffer) return new Uint8Array(raw);
  return undefined;
}

function firstAddress(value: string | undefined): { address?: string; name?: string } {
  if (!value) return {};
  try {
    for (const entry of addressParser(value)) {
      if (entry.address) return { address: entry.address, ...(entry.name ? { name: entry.name } : {}) };
      for (const member of entry.group ?? []) {
        if (member.address) return { address: member.address, ...(member.name ? { name: member.name } : {}) };
      }
    }
  } catch {
    // An unparseable address header is treated as absent; the message is still processed.
  }
  return {};
}

function allAddresses(values: readonly string[]): Array<{ address: string; name?: string }> {
  const out: Array<{ address: string; name?: string }> = [];
  for (const value of values) {
    let parsed: ReturnType<typeof addressParser> = [];
    try {
      parsed = addressParser(value);
    } catch {
      continue;
    }
    for (const entry of parsed) {
      const members = entry.group ?? [entry];
      for (const m of members) {
        if (m.address) out.push({ address: m.address, ...(m.name ? { name: m.name } : {}) });
      }
    }
  }
  return out;
}

/** An SMTP path (`<a@b>`, `a@b`, `<>`) as a bare address; undefined for the null path. */
function envelopeAddress(path: string | undefined): string | undefined {
  const bare = (path ?? "")
    .trim()
    .replace(/^<(.*)>$/, "$1")
    .trim();
  return bare || undefined;
}

/** The header fields the marker's HMAC binds (SPEC §5), as decoded: the first of each. */
function markerBinding(headers: ReadonlyMap<string, string[]>): MarkerBinding {
  return {
    messageId: headers.get("message-id")?.[0],
    date: headers.get("date")?.[0],
    from: headers.get("from")?.[0],
  };
}

/**
 * Creates a stamper from a config (validated here; pass the result of `parseConfig`/`loadConfig` to skip that).
 *
 * @example
 * const stamper = createStamper(await loadConfig("mailstamp.config.yaml"));
 * const result = await stamper.stamp(rawBytes, { envelope: { mailFrom: "alice@example.com", rcptTo: ["bob@partner.test"] } });
 * if (result.status === "stamped") send(result.message);
 * @throws ConfigError when the config does not validate (every problem listed).
 */
export function createStamper(
  config: MailstampConfig | ResolvedConfig,
  options: StamperOptions = {},
): Stamper {
  const resolved = parseConfig(config);
  const directory = options.directory ?? createStaticDirectory(resolved.directory.users);
  const clock = options.clock ?? (() => new Date());
  const logger = options.logger;
  const renderer = createTemplateRenderer({ timeoutMs: resolved.options.limits.renderTimeoutMs });
  const markerName = resolved.options.marker.header;
  const secret = resolved.options.marker.secret;
  const { protected: protectedMode, calendar } = resolved.options;
  const limits = resolved.options.limits;

  function outcome(
    original: Uint8Array,
    status: "skipped" | "rejected",
    reason: SkipReason,
    detail: string,
    messageType: MessageType = "new",
    trace: StampResult["trace"] = [],
  ): StampResult {
    logger?.debug?.("message not stamped", { reason, detail });
    return { status, reason, detail, message: original, stamps: [], messageType, trace };
  }

  async function lookupUser(address: string | undefined): Promise<DirectoryUser | undefined> {
    if (!address) return undefined;
    try {
      return await directory.lookup(address);
    } catch (err) {
      throw new MailstampError("DIRECTORY_FAILED", `directory lookup for ${address} failed: ${String(err)}`, {
        cause: err,
      });
    }
  }

  async function stamp(raw: Uint8Array | string, stampOptions: StampOptions = {}): Promise<StampResult> {
    const bytes = toBytes(raw);
    if (!bytes) return outcome(new Uint8Array(0), "skipped", "unparseable", "input is not bytes or a string");
    if (bytes.byteLength > limits.maxMessageBytes) {
      return outcome(
        bytes,
        "skipped",
        "limits",
        `message is ${bytes.byteLength} bytes, over maxMessageBytes`,
      );
    }

    let scanned: ScannedMessage;
    let headers: Map<string, string[]>;
    try {
      const scan = scanMessage(bytes, limits);
      if (!scan.ok) return outcome(bytes, "skipped", scan.reason, scan.detail);
      scanned = scan.message;
      headers = decodeHeaders(scanned.headers);
    } catch (err) {
      // The scanner is written not to throw; this is the last line of the "never throws for any bytes" promise.
      return outcome(bytes, "skipped", "unparseable", `could not read the message: ${String(err)}`);
    }

    const header = (name: string): string | undefined => headers.get(name)?.[0];
    const messageId = header("message-id")?.trim();

    // The marker: a valid one means an earlier pass already stamped this message (routing loops end here);
    // one that does not verify was forged or copied from another message, so it is dropped and we stamp.
    let removeMarker = false;
    const markers = headers.get(markerName.toLowerCase()) ?? [];
    if (markers.length > 0) {
      if (markers.some((value) => verifyMarker(value, markerBinding(headers), secret))) {
        return outcome(bytes, "skipped", "already-stamped", `valid ${markerName} header present`);
      }
      removeMarker = true;
      logger?.warn?.("invalid marker removed", { header: markerName, messageId });
    }

    const untouchable = checkUntouchable(scanned, headers, { protected: protectedMode, calendar });
    // `protected: wrap`: the signed/encrypted original is attached untouched under a new stamped body.
    const wrap = untouchable?.wrap === true;
    if (untouchable && !wrap) {
      return outcome(
        bytes,
        untouchable.rejected ? "rejected" : "skipped",
        untouchable.reason,
        untouchable.detail,
      );
    }

    const body = findBodyParts(scanned);
    let textCache: { text?: string; html?: string } | undefined;
    const decodedBodies = (): { text?: string; html?: string } => {
      if (!textCache) {
        textCache = {};
        try {
          // A body split around inline images (Apple Mail) is one text in pieces: rules, classification and
          // `once: thread` read all of them, in display order. The injector still places stamps per piece.
          const textPieces = body.textParts ?? (body.text ? [body.text] : []);
          const htmlPieces = body.htmlParts ?? (body.html ? [body.html] : []);
          if (textPieces.length > 0)
            textCache.text = textPieces.map((part) => decodePartText(scanned, part)).join("\n");
          if (htmlPieces.length > 0)
            textCache.html = htmlPieces.map((part) => decodePartText(scanned, part)).join("");
        } catch {
          // Undecodable body text reads as empty for rules; the injector reports the part itself.
        }
      }
      return textCache;
    };
    const plainBody = (): string => {
      const { text, html } = decodedBodies();
      if (text !== undefined) return text;
      return html !== undefined ? htmlToText(html) : "";
    };
    // Each body split at its reply boundary at most once, and only when something asks for that body: the
    // sender's latest text above, the conversation below. Classification and `scope: latest` need only the
    // text part when there is one, so the HTML scan waits for an `under-reply` or `once: thread` stamp.
    const splitCache: { text?: SplitReply | undefined; html?: SplitReply | undefined } = {};
    const split = (kind: "text" | "html"): SplitReply | undefined => {
      if (!(kind in splitCache)) {
        const decoded = decodedBodies()[kind];
        splitCache[kind] =
          decoded === undefined
            ? undefined
            : splitReply(decoded, kind === "html" ? "text/html" : "text/plain");
      }
      return splitCache[kind];
    };
    const latestBody = (): string => {
      const text = split("text");
      if (text) return text.latest;
      const html = split("html");
      return html ? htmlToText(html.latest) : "";
    };

    // Who is sending: SPEC §3 `sender:` — the From header, the SMTP envelope sender, or the Sender header.
    const from = firstAddress(header("from"));
    let senderAddress = from;
    if (resolved.sender === "envelope") {
      const mailFrom = envelopeAddress(stampOptions.envelope?.mailFrom);
      if (mailFrom) senderAddress = { address: mailFrom };
    } else if (resolved.sender === "sender") {
      const sender = firstAddress(header("sender"));
      if (sender.address) senderAddress = sender;
    }
    const user = await lookupUser(senderAddress.address);
    const senderInfo = {
      ...(senderAddress.address
        ? { address: senderAddress.address, domain: domainOf(senderAddress.address) }
        : {}),
      ...(from.name ? { name: from.name } : senderAddress.name ? { name: senderAddress.name } : {}),
    };

    // Recipients: the envelope when the transport gives it (Bcc is only there), else To/Cc/Bcc.
    const orgDomains = resolved.organization.domains;
    const rcptTo = stampOptions.envelope?.rcptTo?.map(envelopeAddress).filter((a): a is string => !!a) ?? [];
    const recipientList =
      rcptTo.length > 0
        ? rcptTo.map((address) => ({ address }))
        : allAddresses([
            ...(headers.get("to") ?? []),
            ...(headers.get("cc") ?? []),
            ...(headers.get("bcc") ?? []),
          ]);
    const recipients: RecipientInfo[] = recipientList.map((r) => {
      const domain = domainOf(r.address);
      return { ...r, domain, internal: isInternalDomain(domain, orgDomains) };
    });

    const subject = header("subject") ?? "";
    const messageType = classifyMessage({
      subject,
      inReplyTo: header("in-reply-to"),
      references: header("references"),
      bodyText: plainBody,
      replyBoundary: () => (split("text") ?? split("html"))?.boundary,
    });
    const now = clock();

    const facts: MessageFacts = {
      sender: senderInfo,
      ...(user ? { user } : {}),
      recipients,
      subject,
      headers,
      messageType,
      hasAttachments: hasAttachments(scanned),
      size: bytes.byteLength,
      now,
      // `latest`: only what the sender wrote above the quoted conversation (SPEC §3, `body.scope`).
      bodyText: (scope) => (scope === "latest" ? latestBody() : plainBody()),
    };

    const evaluation = evaluateRules(resolved.rules, facts);
    if (evaluation.stamps.length === 0) {
      return outcome(bytes, "skipped", "no-rule-matched", "no rule matched", messageType, evaluation.trace);
    }

    const data: TemplateData = {
      user: user ? { ...user } : {},
      sender: senderInfo,
      recipients,
      message: {
        subject,
        ...(header("date") ? { date: header("date") as string } : {}),
        ...(messageId ? { messageId } : {}),
        type: messageType,
      },
      org: { ...resolved.organization },
      now,
    };

    const rendered: Array<{ selected: SelectedStamp; stamp: RenderedStamp }> = [];
    for (const selected of evaluation.stamps) {
      const template = resolved.templates[selected.template];
      if (!template) continue; // parseConfig guarantees every named template exists
      const stampResult = await renderer.render(template, data);
      if (selected.once === "thread" && alreadyInThread(selected.template, stampResult)) {
        logger?.debug?.("once-per-thread stamp already in the conversation", { template: selected.template });
        continue;
      }
      rendered.push({ selected, stamp: stampResult });
    }
    if (rendered.length === 0) {
      return outcome(
        bytes,
        "skipped",
        "no-rule-matched",
        "every selected stamp is already in the thread",
        messageType,
        evaluation.trace,
      );
    }

    // `once: thread` looks only at the quoted conversation below the reply boundary, so the sender's own new
    // text never counts. A reply without a boundary is bottom-posted (the quote is above the sender's text):
    // then the whole body is the conversation; a new message has none.
    function alreadyInThread(template: string, stampResult: RenderedStamp): boolean {
      const text = split("text");
      const html = split("html");
      const whole = messageType !== "new";
      const quotedHtml = html ? (html.boundary ? html.quoted : whole ? html.latest : "") : undefined;
      const quotedText = text ? (text.boundary ? text.quoted : whole ? text.latest : "") : undefined;
      const texts = [stampResult.text, stampHtmlText(stampResult)];
      const marker = { template, texts };
      if (findStampInQuote({ html: quotedHtml }, marker)) return true;
      // Where a client rewrote the quoted HTML and dropped the wrapper, the stamp's words are still there.
      if (quotedHtml && findStampInQuote({ text: htmlToText(quotedHtml) }, marker)) return true;
      return quotedText !== undefined && findStampInQuote({ text: quotedText }, marker) !== undefined;
    }

    const inserts: StampInsert[] = rendered.map(({ selected, stamp: s }) => ({
      id: selected.template,
      // The wrapper carries the template name so `once: thread` finds the stamp again in quoted HTML.
      html: wrapStamp(selected.template, s.html),
      text: s.text,
      placement: selected.placement,
      ...(s.images.length > 0 ? { images: s.images } : {}),
    }));

    const markerOptions = {
      marker: { name: markerName, value: createMarkerValue(markerBinding(headers), secret) },
      ...(removeMarker ? { removeHeader: markerName } : {}),
    };
    const injected = wrap
      ? wrapProtectedMessage(scanned, inserts, markerOptions)
      : injectIntoScanned(scanned, inserts, {
          ...markerOptions,
          // The bodies were already split at their reply boundary for the rules: reuse it for the same text.
          locateReply: (kind, decoded) => {
            const key = kind === "text/html" ? "html" : "text";
            // A whole body is the text already decoded for the rules; a piece of a split body is not.
            return decoded === decodedBodies()[key] ? split(key)?.boundary : findReplyBoundary(decoded, kind);
          },
          limits,
        });
    if (!injected.ok) {
      return outcome(bytes, "skipped", injected.reason, injected.detail, messageType, evaluation.trace);
    }

    const stamps: AppliedStamp[] = rendered.map(({ selected }, i) => {
      const applied = injected.applied[i];
      return {
        rule: selected.rule,
        template: selected.template,
        placement: selected.placement,
        parts: applied?.parts ?? [],
        ...(applied?.boundary ? { boundary: applied.boundary } : {}),
      };
    });
    logger?.info?.("message stamped", { messageId, stamps: stamps.map((s) => s.template) });
    return { status: "stamped", message: injected.message, stamps, messageType, trace: evaluation.trace };
  }

  function mark(raw: Uint8Array | string): Uint8Array {
    const bytes = toBytes(raw) ?? new Uint8Array(0);
    let fields: ScannedMessage["headers"] = [];
    let lineEnding: ScannedMessage["lineEnding"] | undefined;
    let binding: MarkerBinding = {};
    try {
      const scan = scanMessage(bytes, limits);
      if (scan.ok) {
        fields = scan.message.headers;
        lineEnding = scan.message.lineEnding;
        const headers = decodeHeaders(fields);
        binding = markerBinding(headers);
        const markers = headers.get(markerName.toLowerCase()) ?? [];
        if (markers.some((value) => verifyMarker(value, binding, secret))) return bytes;
      }
    } catch {
      // Unreadable bytes still get the line at the start: the loop must end whatever the message is.
    }
    return prependMarker(bytes, markerName, createMarkerValue(binding, secret), fields, lineEnding);
  }

  return {
    config: resolved,
    async stamp(raw, stampOptions) {
      return stamp(raw, stampOptions);
    },
    mark,
  };
}
