/**
 * Moves CSS into `style` attributes: mail clients (Gmail, Outlook.com, many mobile apps) drop or rewrite
 * `<style>` blocks in a message, so a stamp only keeps its look when every rule is inline.
 */
import juice from "juice";

/**
 * Inlines the template's `<style>` blocks plus an extra stylesheet (the template's `css`) into style
 * attributes, keeps styles already written inline (they win, as in a browser), adds the width/height
 * attributes Outlook's Word engine needs, and removes the `<style>` blocks. Nothing is fetched: the
 * synchronous juice call never loads `<link>` stylesheets or remote resources.
 *
 * @example
 * inlineCss('<style>p{color:red}</style><p style="font-size:10px">Hi</p>', "p{margin:0}")
 * // '<p style="color: red; margin: 0; font-size: 10px;">Hi</p>'
 */
export function inlineCss(html: string, css?: string): string {
  const extraCss = css?.trim() ?? "";
  if (extraCss === "" && !/<style[\s>]/i.test(html)) return html;
  return juice(html, {
    extraCss,
    applyStyleTags: true,
    removeStyleTags: true,
    // Media queries, @font-face and :hover cannot be inlined; they would survive only in a <style> block,
    // which the sanitiser removes. Dropping them here keeps the pipeline honest about what reaches the mail.
    preserveMediaQueries: false,
    preserveFontFaces: false,
    preserveKeyFrames: false,
    preservePseudos: false,
    insertPreservedExtraCss: false,
    inlinePseudoElements: false,
    applyWidthAttributes: true,
    applyHeightAttributes: true,
    applyAttributesTableElements: true,
    xmlMode: false,
  });
}
