/** Validation of `options`: the marker, protected and calendar policies, and the safety limits. */
import { DEFAULTS } from "./defaults.js";
import type { ResolvedLimits, ResolvedOptions } from "./types.js";
import { isHeaderFieldName, isReservedHeaderName } from "./_header-name.js";
import { joinPath, type Issues } from "./_issues.js";
import { checkKeys, readEnum, readObject, readPositiveInteger, readString } from "./_schema.js";

const LIMIT_KEYS = ["maxMessageBytes", "maxMimeDepth", "maxParts", "renderTimeoutMs"] as const;

function readMarkerHeader(value: unknown, path: string, issues: Issues): string | undefined {
  const header = readString(value, path, issues, { nonEmpty: true });
  if (header === undefined) return undefined;
  if (!isHeaderFieldName(header)) {
    issues.add(
      path,
      `expected a header field name (printable ASCII without ":" or spaces), got ${JSON.stringify(header)}`,
    );
    return undefined;
  }
  if (isReservedHeaderName(header)) {
    issues.add(
      path,
      `${header} carries meaning that the marker would overwrite or remove; use a name such as X-Mailstamp`,
    );
    return undefined;
  }
  return header;
}

function resolveMarker(value: unknown, path: string, issues: Issues, options: ResolvedOptions): void {
  const marker = readObject(value, path, issues);
  if (!marker) return;
  checkKeys(marker, ["header", "secret"], path, issues);
  if (marker.header !== undefined) {
    const header = readMarkerHeader(marker.header, joinPath(path, "header"), issues);
    if (header !== undefined) options.marker.header = header;
  }
  if (marker.secret !== undefined) {
    // An empty secret would make the HMAC forgeable by anyone, silently; absent means "no HMAC", said openly.
    const secret = readString(marker.secret, joinPath(path, "secret"), issues, { nonEmpty: true });
    if (secret !== undefined) options.marker.secret = secret;
  }
}

function resolveLimits(value: unknown, path: string, issues: Issues, limits: ResolvedLimits): void {
  const object = readObject(value, path, issues);
  if (!object) return;
  checkKeys(object, LIMIT_KEYS, path, issues);
  for (const key of LIMIT_KEYS) {
    if (object[key] === undefined) continue;
    // Strict on purpose: see readPositiveInteger — a falsy fallback would turn a limit off.
    const limit = readPositiveInteger(object[key], joinPath(path, key), issues);
    if (limit !== undefined) limits[key] = limit;
  }
}

/** Validates `options` and fills in every default. */
export function resolveOptions(value: unknown, path: string, issues: Issues): ResolvedOptions {
  const defaults = DEFAULTS.options;
  const options: ResolvedOptions = {
    marker: { header: defaults.marker.header },
    protected: defaults.protected,
    calendar: defaults.calendar,
    limits: { ...defaults.limits },
  };
  if (value === undefined) return options;
  const object = readObject(value, path, issues);
  if (!object) return options;
  checkKeys(object, ["marker", "protected", "calendar", "limits"], path, issues);
  if (object.marker !== undefined) resolveMarker(object.marker, joinPath(path, "marker"), issues, options);
  if (object.protected !== undefined) {
    const policy = readEnum(
      object.protected,
      ["skip", "wrap", "reject"],
      joinPath(path, "protected"),
      issues,
    );
    if (policy !== undefined) options.protected = policy;
  }
  if (object.calendar !== undefined) {
    const policy = readEnum(object.calendar, ["skip", "stamp"], joinPath(path, "calendar"), issues);
    if (policy !== undefined) options.calendar = policy;
  }
  if (object.limits !== undefined)
    resolveLimits(object.limits, joinPath(path, "limits"), issues, options.limits);
  return options;
}
