/**
 * An ISO-2022-JP encoder (RFC 1468; WHATWG Encoding §13.2.2) — iconv-lite has none, and Japanese mail is still
 * commonly written in it, so without one every stamp would move such a part to UTF-8. JIS X 0208 codes come
 * from iconv-lite's EUC-JP table (EUC-JP is JIS X 0208 with the high bit set on both bytes).
 */
import iconv from "iconv-lite";

const ESC = 0x1b;
const TO_ASCII = [ESC, 0x28, 0x42]; // ESC ( B
const TO_ROMAN = [ESC, 0x28, 0x4a]; // ESC ( J
const TO_JIS0208 = [ESC, 0x24, 0x42]; // ESC $ B

/**
 * Bytes of `text` in ISO-2022-JP, ending in ASCII mode; undefined when a character has no JIS X 0208 code
 * (or is ESC, SO or SI, which WHATWG refuses so no encoded text can forge a mode switch).
 */
export function _encodeIso2022Jp(text: string): Uint8Array | undefined {
  const out: number[] = [];
  let mode = "ascii" as "ascii" | "roman" | "jis";
  const to = (next: typeof mode, seq: number[]): void => {
    if (mode !== next) out.push(...seq);
    mode = next;
  };
  for (const ch of text) {
    const cp = ch.codePointAt(0) as number;
    if (cp === 0x0e || cp === 0x0f || cp === ESC) return undefined;
    if (cp < 0x80) {
      // Roman mode shares every ASCII byte except 0x5C (¥) and 0x7E (‾); staying in it saves escapes.
      if (mode === "roman" && cp !== 0x5c && cp !== 0x7e) out.push(cp);
      else {
        to("ascii", TO_ASCII);
        out.push(cp);
      }
      continue;
    }
    if (cp === 0xa5 || cp === 0x203e) {
      to("roman", TO_ROMAN);
      out.push(cp === 0xa5 ? 0x5c : 0x7e);
      continue;
    }
    const euc = iconv.encode(ch, "euc-jp");
    const [hi, lo] = [euc[0] ?? 0, euc[1] ?? 0];
    if (euc.length !== 2 || hi < 0xa1 || hi > 0xfe || lo < 0xa1 || lo > 0xfe) return undefined;
    to("jis", TO_JIS0208);
    out.push(hi - 0x80, lo - 0x80);
  }
  to("ascii", TO_ASCII);
  return new Uint8Array(out);
}
