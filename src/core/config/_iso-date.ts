/** Strict ISO 8601 parsing for campaign windows (`date.from` / `date.until`). */

// The ECMAScript date-time subset of ISO 8601 (what Date.parse defines), so the value the rules engine reads
// means exactly what was validated here. Date.parse alone is too lenient: V8 accepts "2025-02-30" (rolling into
// March) and many engines accept free text such as "Tue Mar 4", which is why the shape is checked first.
const ISO =
  /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(Z|[+-](\d{2}):(\d{2}))?)?$/;

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/**
 * Parses an ISO 8601 date (`2025-12-01`) or date-time (`2025-12-01T09:00`, `…T09:00:00Z`, `…T09:00+01:00`)
 * to epoch milliseconds; undefined when the text is not one. As in ECMAScript, a date alone is UTC midnight
 * and a time without an offset is the host's local time.
 */
export function parseIsoDate(text: string): number | undefined {
  const m = ISO.exec(text);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s, , oh, om] = m;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  if (h !== undefined && (Number(h) > 23 || Number(mi) > 59 || (s !== undefined && Number(s) > 59))) {
    return undefined;
  }
  if (oh !== undefined && (Number(oh) > 23 || Number(om) > 59)) return undefined;
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? undefined : ms;
}
