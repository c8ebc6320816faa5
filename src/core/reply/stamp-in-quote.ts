/**
 * Finds an earlier copy of a stamp in the quoted conversation, for `once: thread` (SPEC §4): by the marker the
 * stamper wraps every HTML stamp in, and — because clients rewrite quoted HTML and drop attributes (Outlook
 * keeps the text, not the `data-*` attribute) — by the stamp's words.
 */
import { escapeHtml } from "../escape-html.js";

/** The quoted conversation of a message, in whichever body types it has. */
export interface QuotedConversation {
  /** Quoted HTML (the part of the HTML body below the reply boundary). */
  html?: string | undefined;
  /** Quoted plain text, or the quoted HTML converted to text. */
  text?: string | undefined;
}

/** The stamp to look for. */
export interface StampToFind {
  /** The template name, as written in the `data-mailstamp` attribute of the stamp's wrapper. */
  template: string;
  /** Texts of the rendered stamp (its text version, its HTML converted to text). */
  texts: readonly string[];
}

// URLs are the part of a stamp that clients rewrite most ("example.com <https://example.com>", "[1]",
// Safe Links): drop bracketed URLs before comparing words.
const BRACKETED_URL = /[<[(](?:https?|mailto|tel):[^\s<>[\]()]{0,2048}[>\])]/gi;
// Clients that re-flow a quote turn spaces into U+00A0 (and narrow, figure or ideographic spaces) and may
// insert soft hyphens, zero-width spaces or joiners inside words: spaces become plain spaces, the invisible
// characters go, so "This\u00a0message is confi\u00addential" still reads as the stamp's words.
const UNICODE_SPACE = /[\p{Zs}\u2028\u2029]/gu;
const INVISIBLE = /[\u00ad\u180e\u200b-\u200d\u2060\ufeff]/g;
// Combining marks belong to the word they sit on ("i̇", decomposed accents).
const WORD = /[\p{L}\p{M}\p{N}]+/gu;

/** The words of a text, lower-cased, joined by single spaces and framed by spaces for whole-word `includes`. */
function words(text: string): string {
  const found = text
    .replace(UNICODE_SPACE, " ")
    .replace(INVISIBLE, "")
    .replace(BRACKETED_URL, " ")
    .toLowerCase()
    .match(WORD);
  return found ? ` ${found.join(" ")} ` : " ";
}

/** The wrapper's marker attribute for a template; written by {@link wrapStamp}, looked for below. */
function markerAttribute(template: string): string {
  return `data-mailstamp="${escapeHtml(template)}"`;
}

/**
 * Wraps a rendered HTML stamp in the element that lets `once: thread` find it again in quoted HTML: the
 * producer and the finder of that marker live here together, so they cannot drift apart.
 *
 * @example
 * wrapStamp("legal", "<p>Confidential.</p>") // '<div class="mailstamp" data-mailstamp="legal"><p>Confidential.</p></div>'
 */
export function wrapStamp(template: string, html: string): string {
  return `<div class="mailstamp" ${markerAttribute(template)}>${html}</div>`;
}

/**
 * Tells how an earlier copy of the stamp shows in the quoted conversation: `"marker"` (its
 * `data-mailstamp="<template>"` wrapper), `"text"` (its words in order, whatever the whitespace, `>` quote
 * prefixes, punctuation, line wrapping or rewritten links), or undefined when it is not there.
 *
 * @example
 * findStampInQuote({ text: "> This message is\n> confidential." }, { template: "legal", texts: ["This message is confidential."] });
 * // "text"
 */
export function findStampInQuote(
  quote: QuotedConversation,
  stamp: StampToFind,
): "marker" | "text" | undefined {
  if (quote.html?.includes(markerAttribute(stamp.template))) return "marker";
  const haystack = quote.text === undefined ? "" : words(quote.text);
  if (haystack.length <= 1) return undefined;
  for (const text of stamp.texts) {
    const needle = words(text);
    // A stamp of one or two words ("Thanks") would be found in any conversation: too weak to drop a stamp.
    if (needle.split(" ").length - 2 < 3) continue;
    if (haystack.includes(needle)) return "text";
  }
  return undefined;
}
