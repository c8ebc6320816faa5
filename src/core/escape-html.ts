/** Escaping for text the core writes into HTML itself (not template output, which Liquid escapes). */

const HTML_ESCAPES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

/**
 * Escapes text for HTML content and quoted attribute values.
 *
 * @example
 * escapeHtml('Carol <Script> & "Co"') // "Carol &lt;Script&gt; &amp; &quot;Co&quot;"
 */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => HTML_ESCAPES[ch] ?? ch);
}
