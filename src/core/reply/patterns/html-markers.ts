/**
 * The HTML elements mail clients wrap a quoted conversation in, by client. Each is recognised from its start
 * tag's `class`, `id`, `type` or `data-marker` attribute alone, so the scanner never has to build a DOM.
 */

/**
 * How a marker bounds the quote:
 * - `container`: the quote is the element's content; sender text after the element is a bottom-posted reply;
 * - `cut`: the quote starts at the element and runs to the end of the body (Outlook's header block is a
 *   sibling of the quoted body, not its parent);
 * - `signature`: the element is the sender's signature (clients that put it below the quote).
 */
export type HtmlMarkerKind = "container" | "cut" | "signature";

export interface HtmlMarker {
  kind: HtmlMarkerKind;
  pattern: string;
}

/** The attributes the scanner reads from a start tag (lower-cased names; values as written). */
export interface MarkerAttributes {
  class?: string;
  id?: string;
  type?: string;
  "data-marker"?: string;
}

const CLASS_MARKERS: ReadonlyMap<string, HtmlMarker> = new Map([
  // Gmail: <div class="gmail_quote">, since 2024 <div class="gmail_quote gmail_quote_container">.
  ["gmail_quote", { kind: "container", pattern: "gmail-quote" }],
  ["gmail_quote_container", { kind: "container", pattern: "gmail-quote" }],
  // Thunderbird: <div class="moz-cite-prefix">On … wrote:</div><blockquote type="cite">, forwards inline. The
  // attribution div is a quote element of its own, so a reply typed below the blockquote still reads as one.
  ["moz-cite-prefix", { kind: "container", pattern: "thunderbird-cite-prefix" }],
  ["moz-forward-container", { kind: "container", pattern: "thunderbird-forward" }],
  // ProtonMail: <div class="protonmail_quote">.
  ["protonmail_quote", { kind: "container", pattern: "protonmail-quote" }],
  // Zoho: <div class="zmail_extra"> holds "---- On … wrote ----" and the quote.
  ["zmail_extra", { kind: "container", pattern: "zoho-quote" }],
  // Old Outlook (2003) and Outlook Express.
  ["outlookmessageheader", { kind: "cut", pattern: "outlook-message-header" }],
  // Samsung Email and some Android clients.
  ["samsung_quote", { kind: "container", pattern: "samsung-quote" }],
  // Signatures that Gmail and Thunderbird put below the quote when the user asks for it.
  ["gmail_signature", { kind: "signature", pattern: "gmail-signature" }],
  ["moz-signature", { kind: "signature", pattern: "thunderbird-signature" }],
]);

const ID_MARKERS: ReadonlyMap<string, HtmlMarker> = new Map([
  // Outlook on the web / new Outlook / Outlook mobile: <div id="appendonsend"></div><hr><div id="divRplyFwdMsg">.
  ["appendonsend", { kind: "cut", pattern: "outlook-web:appendonsend" }],
  ["divrplyfwdmsg", { kind: "cut", pattern: "outlook-web:divRplyFwdMsg" }],
  // Outlook for Mac.
  ["olk_src_body_section", { kind: "cut", pattern: "outlook-mac" }],
  ["mail-editor-reference-message-container", { kind: "cut", pattern: "outlook-mac" }],
  // Hotmail / Windows Live: <hr id="stopSpelling">.
  ["stopspelling", { kind: "cut", pattern: "hotmail-stopspelling" }],
  // Zimbra: <hr id="zwchr">.
  ["zwchr", { kind: "cut", pattern: "zimbra" }],
  // NetEase 163/126 mail.
  ["isreplycontent", { kind: "cut", pattern: "netease" }],
  ["isforwardcontent", { kind: "cut", pattern: "netease" }],
  // Android stock mail: <div id="quoted_header"> / <div id="divOriginal"> holds the attribution and quote.
  ["divoriginal", { kind: "cut", pattern: "android-mail" }],
]);

/**
 * The quote marker a start tag carries, if any.
 *
 * @example
 * htmlMarker("div", { class: "gmail_quote gmail_quote_container" }); // { kind: "container", pattern: "gmail-quote" }
 * htmlMarker("blockquote", { type: "cite" }); // { kind: "container", pattern: "blockquote:cite" }
 */
export function htmlMarker(tag: string, attrs: MarkerAttributes): HtmlMarker | undefined {
  if (attrs.id !== undefined) {
    const byId = ID_MARKERS.get(attrs.id.trim().toLowerCase());
    if (byId) return byId;
  }
  if (attrs.class !== undefined) {
    for (const token of attrs.class.toLowerCase().split(/[\s\u00a0]+/u)) {
      if (!token) continue;
      const byClass = CLASS_MARKERS.get(token);
      if (byClass) return byClass;
      // Yahoo prefixes its class names per message: "ydp9b1f0a55yahoo_quoted"; Outlook on the web
      // forwards reuse "x_" prefixes on Gmail markup ("x_gmail_quote").
      if (token.endsWith("yahoo_quoted")) return { kind: "container", pattern: "yahoo-quoted" };
      if (token === "x_gmail_quote" || token === "x_gmail_quote_container")
        return { kind: "container", pattern: "gmail-quote" };
    }
  }
  const marker = attrs["data-marker"];
  // Zimbra 8+: <div data-marker="__QUOTED_TEXT__">, with "__HEADERS__" and "__DIVIDER__" before it.
  if (marker !== undefined && /^__(QUOTED_TEXT|HEADERS|DIVIDER)__$/.test(marker.trim())) {
    return { kind: "cut", pattern: "zimbra" };
  }
  if (tag === "blockquote") {
    return {
      kind: "container",
      pattern: attrs.type?.toLowerCase() === "cite" ? "blockquote:cite" : "blockquote",
    };
  }
  return undefined;
}
