/** Validation of `templates`: inline or file sources, Liquid syntax, CSS and images. */
import { readFileSync } from "node:fs";
import { extname, resolve } from "node:path";
import { parseTemplateSource } from "../render/liquid.js";
import { TemplateError } from "../errors.js";
import { DEFAULTS } from "./defaults.js";
import type { ResolvedImage, ResolvedTemplate } from "./types.js";
import { joinPath, type Issues } from "./_issues.js";
import { checkFreeKey, checkKeys, readBoolean, readObject, readString, type PlainObject } from "./_schema.js";

const TEMPLATE_KEYS = ["html", "htmlFile", "text", "textFile", "css", "cssFile", "images"] as const;
const IMAGE_KEYS = ["path", "url", "embed", "contentType"] as const;

// png, jpeg and gif display everywhere; webp and svg are accepted, but Outlook desktop and Gmail do not show
// SVG and older Outlook builds do not show WebP, which is why the docs recommend the first three.
const IMAGE_TYPES: Record<string, string> = {
  ".png": "image/png",
  ".jpg": "image/jpeg",
  ".jpeg": "image/jpeg",
  ".gif": "image/gif",
  ".webp": "image/webp",
  ".svg": "image/svg+xml",
};

// The content type ends up in a MIME header of every stamped message: RFC 6838 restricted names only, so a
// CR/LF or parameter smuggled in here cannot inject headers.
const IMAGE_CONTENT_TYPE = /^image\/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}$/;

// Used as {{ images.NAME }} and in cid: URLs, so it must be a plain identifier.
const IMAGE_NAME = /^[A-Za-z_][A-Za-z0-9_-]*$/;

function readFile(file: string, baseDir: string, path: string, issues: Issues): Buffer | undefined {
  const absolute = resolve(baseDir, file);
  try {
    return readFileSync(absolute);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const reason =
      code === "ENOENT" ? "no such file" : code === "EISDIR" ? "is a directory" : (err as Error).message;
    issues.add(path, `cannot read ${absolute}: ${reason}`);
    return undefined;
  }
}

/** An inline source or a file, not both; the text (BOM stripped) or undefined. */
function readSource(
  template: PlainObject,
  inlineKey: "html" | "text" | "css",
  fileKey: "htmlFile" | "textFile" | "cssFile",
  path: string,
  baseDir: string,
  issues: Issues,
): { source: string; at: string } | undefined {
  const inline = template[inlineKey];
  const file = template[fileKey];
  if (inline !== undefined && file !== undefined) {
    issues.add(joinPath(path, fileKey), `use either ${inlineKey} or ${fileKey}, not both`);
    return undefined;
  }
  if (inline !== undefined) {
    const at = joinPath(path, inlineKey);
    const source = readString(inline, at, issues, { nonEmpty: inlineKey === "html" });
    return source === undefined ? undefined : { source, at };
  }
  if (file !== undefined) {
    const at = joinPath(path, fileKey);
    const name = readString(file, at, issues, { nonEmpty: true });
    if (name === undefined) return undefined;
    const bytes = readFile(name, baseDir, at, issues);
    if (bytes === undefined) return undefined;
    // Editors on Windows save UTF-8 with a byte order mark; inserted mid-message it becomes a stray character.
    return { source: bytes.toString("utf8").replace(/^\uFEFF/, ""), at };
  }
  return undefined;
}

function checkLiquid(name: string, kind: "html" | "text", source: string, at: string, issues: Issues): void {
  try {
    parseTemplateSource(name, kind, source);
  } catch (err) {
    if (!(err instanceof TemplateError)) throw err;
    // The issue path already names the template and its kind; keep the position and what is wrong.
    const detail = err.message
      .replace(/^\[mailstamp\] template "(?:[^"\\]|\\.)*"(?: \(line \d+, column \d+\))?: /, "")
      .replace(/^(?:html|text): /, "");
    const where = err.line !== undefined ? `line ${err.line}, column ${err.column ?? 0}: ` : "";
    issues.add(at, where + detail);
  }
}

function resolveImage(
  name: string,
  value: unknown,
  path: string,
  baseDir: string,
  issues: Issues,
): ResolvedImage | undefined {
  const before = issues.list.length;
  if (!IMAGE_NAME.test(name)) {
    issues.add(
      path,
      `expected an image name of letters, digits, "_" and "-" (it is used as {{ images.NAME }})`,
    );
  }
  const image = readObject(value, path, issues);
  if (!image) return undefined;
  checkKeys(image, IMAGE_KEYS, path, issues);
  const embed =
    image.embed === undefined
      ? DEFAULTS.image.embed
      : readBoolean(image.embed, joinPath(path, "embed"), issues);
  const contentType =
    image.contentType === undefined
      ? undefined
      : readString(image.contentType, joinPath(path, "contentType"), issues);
  if (contentType !== undefined && !IMAGE_CONTENT_TYPE.test(contentType)) {
    issues.add(joinPath(path, "contentType"), `expected an image media type such as image/png`);
  }
  const resolved: ResolvedImage = { name, embed: embed ?? false };
  if (image.path !== undefined && image.url !== undefined) {
    issues.add(path, "use either path or url, not both");
  } else if (image.path === undefined && image.url === undefined) {
    issues.add(path, "expected path (with embed: true) or url");
  } else if (image.url !== undefined) {
    const urlPath = joinPath(path, "url");
    const text = readString(image.url, urlPath, issues, { nonEmpty: true });
    if (embed === true) {
      issues.add(
        joinPath(path, "embed"),
        "embed: true needs path (a local file to attach); a url is used as is",
      );
    }
    if (text !== undefined) {
      let protocol: string | undefined;
      try {
        protocol = new URL(text).protocol;
      } catch {
        protocol = undefined;
      }
      if (protocol === "https:" || protocol === "http:") resolved.url = text;
      else issues.add(urlPath, `expected an https: (or http:) URL, got ${JSON.stringify(text)}`);
    }
  } else {
    const filePath = joinPath(path, "path");
    const file = readString(image.path, filePath, issues, { nonEmpty: true });
    if (embed === false) {
      issues.add(
        filePath,
        "a local file is only used with embed: true (set embed: true, or give url instead)",
      );
    } else if (file !== undefined) {
      const bytes = readFile(file, baseDir, filePath, issues);
      if (bytes !== undefined && bytes.length === 0) {
        issues.add(filePath, `${resolve(baseDir, file)} is empty`);
      } else if (bytes !== undefined) {
        resolved.data = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      }
      const guessed = IMAGE_TYPES[extname(file).toLowerCase()];
      if (contentType === undefined && guessed === undefined) {
        issues.add(
          joinPath(path, "contentType"),
          `cannot guess the type of ${JSON.stringify(file)} (png, jpg, gif, webp, svg); set contentType`,
        );
      }
    }
  }
  const type =
    contentType ??
    (typeof image.path === "string" ? IMAGE_TYPES[extname(image.path).toLowerCase()] : undefined);
  if (type !== undefined) resolved.contentType = type;
  return issues.list.length === before ? resolved : undefined;
}

function resolveTemplate(
  name: string,
  value: unknown,
  path: string,
  baseDir: string,
  issues: Issues,
): ResolvedTemplate | undefined {
  const before = issues.list.length;
  const template = readObject(value, path, issues);
  if (!template) return undefined;
  checkKeys(template, TEMPLATE_KEYS, path, issues);
  if (template.html === undefined && template.htmlFile === undefined) {
    issues.add(
      path,
      "expected html or htmlFile (the text version is derived from the HTML when text is absent)",
    );
  }
  const resolved: ResolvedTemplate = { name, images: {} };
  const html = readSource(template, "html", "htmlFile", path, baseDir, issues);
  if (html) {
    checkLiquid(name, "html", html.source, html.at, issues);
    resolved.html = html.source;
  }
  const text = readSource(template, "text", "textFile", path, baseDir, issues);
  if (text) {
    checkLiquid(name, "text", text.source, text.at, issues);
    resolved.text = text.source;
  }
  const css = readSource(template, "css", "cssFile", path, baseDir, issues);
  if (css) resolved.css = css.source;
  if (template.images !== undefined) {
    const imagesPath = joinPath(path, "images");
    const images = readObject(template.images, imagesPath, issues);
    for (const [imageName, image] of Object.entries(images ?? {})) {
      if (!checkFreeKey(imageName, imagesPath, issues)) continue;
      const resolvedImage = resolveImage(imageName, image, joinPath(imagesPath, imageName), baseDir, issues);
      if (resolvedImage) resolved.images[imageName] = resolvedImage;
    }
  }
  return issues.list.length === before ? resolved : undefined;
}

/**
 * Validates `templates` and reads every file it names (relative to `baseDir`). Returns the resolved
 * templates and every template name, valid or not, so a rule naming a broken template is not also reported
 * as naming a missing one.
 */
export function resolveTemplates(
  value: unknown,
  path: string,
  baseDir: string,
  issues: Issues,
): { templates: Record<string, ResolvedTemplate>; names: string[] } {
  const templates: Record<string, ResolvedTemplate> = {};
  const object = readObject(value, path, issues);
  if (!object) return { templates, names: [] };
  const names = Object.keys(object);
  for (const name of names) {
    const templatePath = joinPath(path, name);
    if (name.trim() === "") {
      issues.add(templatePath, "expected a non-empty template name");
      continue;
    }
    if (!checkFreeKey(name, path, issues)) continue;
    const resolved = resolveTemplate(name, object[name], templatePath, baseDir, issues);
    if (resolved) templates[name] = resolved;
  }
  return { templates, names };
}
