import type { StampOptions } from "../index.js";
import type { CliValues } from "./run.js";

/** The SMTP envelope from --mail-from / --rcpt; absent parts fall back to the message headers. */
export function envelopeFrom(values: CliValues): StampOptions {
  const mailFrom = values["mail-from"];
  const rcptTo = values.rcpt;
  if (mailFrom === undefined && (rcptTo === undefined || rcptTo.length === 0)) return {};
  return {
    envelope: {
      ...(mailFrom !== undefined ? { mailFrom } : {}),
      ...(rcptTo && rcptTo.length > 0 ? { rcptTo } : {}),
    },
  };
}
