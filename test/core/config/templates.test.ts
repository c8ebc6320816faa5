import { describe, expect, it } from "vitest";
import { join } from "node:path";
import { parseConfig } from "../../../src/core/config/parse-config.js";
import { baseConfig, issuesOf, tempDir } from "./_helpers.js";

const PNG = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3]);

function withTemplates(templates: Record<string, unknown>): Record<string, unknown> {
  return { ...baseConfig(), templates, rules: [] };
}

describe("templates", () => {
  it("reads htmlFile, textFile and cssFile relative to baseDir, without a byte order mark", () => {
    const dir = tempDir({
      "sig.html": "\uFEFF<p>{{ user.displayName }}</p>",
      "sig.txt": "{{ user.displayName }}",
      "sig.css": "p { color: #333 }",
    });
    const config = parseConfig(
      withTemplates({ sig: { htmlFile: "sig.html", textFile: "./sig.txt", cssFile: "sig.css" } }),
      { baseDir: dir, env: {} },
    );
    expect(config.templates.sig).toEqual({
      name: "sig",
      html: "<p>{{ user.displayName }}</p>",
      text: "{{ user.displayName }}",
      css: "p { color: #333 }",
      images: {},
    });
  });

  it("reports a missing file with the path it looked for", () => {
    const dir = tempDir();
    expect(issuesOf(withTemplates({ sig: { htmlFile: "missing.html" } }), { baseDir: dir, env: {} })).toEqual(
      [{ path: "templates.sig.htmlFile", message: `cannot read ${join(dir, "missing.html")}: no such file` }],
    );
  });

  it("requires html or htmlFile", () => {
    expect(issuesOf(withTemplates({ sig: { text: "Alice" } }))).toEqual([
      {
        path: "templates.sig",
        message: "expected html or htmlFile (the text version is derived from the HTML when text is absent)",
      },
    ]);
  });

  it.each([
    ["html", "htmlFile"],
    ["text", "textFile"],
    ["css", "cssFile"],
  ])("rejects both %s and %s", (inline, file) => {
    const dir = tempDir({ "a.txt": "x" });
    expect(
      issuesOf(withTemplates({ sig: { html: "<p>x</p>", [inline]: "y", [file]: "a.txt" } }), {
        baseDir: dir,
        env: {},
      }),
    ).toEqual([{ path: `templates.sig.${file}`, message: `use either ${inline} or ${file}, not both` }]);
  });

  it("reports a broken Liquid template at its path with line and column", () => {
    const issues = issuesOf(
      withTemplates({ x: { html: "<p>\n{% if user.mobilePhone %}\n{{ user.mobilePhone }}" } }),
    );
    expect(issues).toHaveLength(1);
    expect(issues[0]?.path).toBe("templates.x.html");
    expect(issues[0]?.message).toMatch(/^line 2, column \d+: .*not closed/);
  });

  it("reports a broken text template at templates.x.text", () => {
    const issues = issuesOf(withTemplates({ x: { html: "<p>ok</p>", text: "{{ user.displayName " } }));
    expect(issues.map((i) => i.path)).toEqual(["templates.x.text"]);
  });

  it("checks Liquid syntax of template files too, at the file key", () => {
    const dir = tempDir({ "broken.html": "<p>{% if %}</p>" });
    const issues = issuesOf(withTemplates({ x: { htmlFile: "broken.html" } }), { baseDir: dir, env: {} });
    expect(issues.map((i) => i.path)).toEqual(["templates.x.htmlFile"]);
  });

  it("quotes template names that are not plain identifiers in paths", () => {
    expect(issuesOf(withTemplates({ "legal v2": { html: 5 } }))).toEqual([
      { path: 'templates["legal v2"].html', message: "expected a non-empty string" },
    ]);
  });
});

describe("template images", () => {
  it("reads an embedded image and guesses its type from the extension", () => {
    const dir = tempDir({ "logo.PNG": PNG });
    const config = parseConfig(
      withTemplates({
        sig: { html: '<img src="{{ images.logo }}">', images: { logo: { path: "logo.PNG", embed: true } } },
      }),
      { baseDir: dir, env: {} },
    );
    const logo = config.templates.sig?.images.logo;
    expect(logo).toMatchObject({ name: "logo", embed: true, contentType: "image/png" });
    expect(Array.from(logo?.data ?? [])).toEqual(Array.from(PNG));
  });

  it("keeps a remote image as its URL", () => {
    const config = parseConfig(
      withTemplates({ sig: { html: "x", images: { logo: { url: "https://cdn.example.com/logo.png" } } } }),
      { env: {} },
    );
    expect(config.templates.sig?.images.logo).toEqual({
      name: "logo",
      embed: false,
      url: "https://cdn.example.com/logo.png",
    });
  });

  it("uses a given contentType over the extension", () => {
    const dir = tempDir({ "logo.bin": PNG });
    const config = parseConfig(
      withTemplates({
        sig: { html: "x", images: { logo: { path: "logo.bin", embed: true, contentType: "image/png" } } },
      }),
      { baseDir: dir, env: {} },
    );
    expect(config.templates.sig?.images.logo?.contentType).toBe("image/png");
  });

  const invalid: Array<[string, Record<string, unknown>, string, string]> = [
    [
      "a javascript: URL",
      { url: "javascript:alert(1)" },
      "templates.sig.images.logo.url",
      'expected an https: (or http:) URL, got "javascript:alert(1)"',
    ],
    [
      "a relative URL",
      { url: "/logo.png" },
      "templates.sig.images.logo.url",
      'expected an https: (or http:) URL, got "/logo.png"',
    ],
    [
      "embed with a URL",
      { url: "https://cdn.example.com/a.png", embed: true },
      "templates.sig.images.logo.embed",
      "embed: true needs path (a local file to attach); a url is used as is",
    ],
    [
      "a path without embed",
      { path: "logo.png" },
      "templates.sig.images.logo.path",
      "a local file is only used with embed: true (set embed: true, or give url instead)",
    ],
    [
      "neither path nor url",
      { embed: true },
      "templates.sig.images.logo",
      "expected path (with embed: true) or url",
    ],
    [
      "both path and url",
      { path: "logo.png", url: "https://cdn.example.com/a.png", embed: true },
      "templates.sig.images.logo",
      "use either path or url, not both",
    ],
    [
      "an unknown extension",
      { path: "logo.bmp", embed: true },
      "templates.sig.images.logo.contentType",
      'cannot guess the type of "logo.bmp" (png, jpg, gif, webp, svg); set contentType',
    ],
    [
      "a content type carrying a header injection",
      { path: "logo.png", embed: true, contentType: "image/png\r\nBcc: victim@example.com" },
      "templates.sig.images.logo.contentType",
      "expected an image media type such as image/png",
    ],
    [
      "a content type that is not an image",
      { path: "logo.png", embed: true, contentType: "text/html" },
      "templates.sig.images.logo.contentType",
      "expected an image media type such as image/png",
    ],
  ];
  it.each(invalid)("rejects %s", (_what, image, path, message) => {
    const dir = tempDir({ "logo.png": PNG, "logo.bmp": PNG });
    expect(
      issuesOf(withTemplates({ sig: { html: "x", images: { logo: image } } }), { baseDir: dir, env: {} }),
    ).toEqual([{ path, message }]);
  });

  it("reports a missing or empty image file", () => {
    const dir = tempDir({ "empty.png": new Uint8Array() });
    expect(
      issuesOf(
        withTemplates({
          sig: {
            html: "x",
            images: { a: { path: "gone.png", embed: true }, b: { path: "empty.png", embed: true } },
          },
        }),
        { baseDir: dir, env: {} },
      ),
    ).toEqual([
      { path: "templates.sig.images.a.path", message: `cannot read ${join(dir, "gone.png")}: no such file` },
      { path: "templates.sig.images.b.path", message: `${join(dir, "empty.png")} is empty` },
    ]);
  });

  it("rejects an image name that cannot be used as {{ images.NAME }}", () => {
    expect(
      issuesOf(
        withTemplates({ sig: { html: "x", images: { "my logo": { url: "https://a.example/x.png" } } } }),
      ),
    ).toEqual([
      {
        path: 'templates.sig.images["my logo"]',
        message: 'expected an image name of letters, digits, "_" and "-" (it is used as {{ images.NAME }})',
      },
    ]);
  });
});
