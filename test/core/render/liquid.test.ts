import { describe, expect, it } from "vitest";
import { TemplateError } from "../../../src/core/errors.js";
import { compileTemplate, parseTemplateSource, renderCompiled } from "../../../src/core/render/liquid.js";
import type { TemplateKind } from "../../../src/core/render/liquid.js";

function render(
  source: string,
  scope: Record<string, unknown>,
  kind: TemplateKind = "html",
  timeoutMs?: number,
) {
  return renderCompiled("standard", kind, compileTemplate("standard", kind, source), scope, timeoutMs);
}

function parseError(source: string): TemplateError {
  try {
    parseTemplateSource("standard", "html", source);
  } catch (err) {
    if (err instanceof TemplateError) return err;
    throw err;
  }
  throw new Error("expected a parse error");
}

describe("parseTemplateSource", () => {
  it("accepts a template using the mailstamp filters and the line block", () => {
    expect(() =>
      parseTemplateSource("standard", "html", "{% line %}<br>M {{ user.mobilePhone | phone }}{% endline %}"),
    ).not.toThrow();
  });

  it("reports an unclosed tag with its line and column", () => {
    const err = parseError(
      "<p>{{ user.displayName }}</p>\n<p>\n  {% if user.jobTitle %}{{ user.jobTitle }}</p>",
    );
    expect(err.code).toBe("TEMPLATE_PARSE");
    expect(err.template).toBe("standard");
    expect([err.line, err.column]).toEqual([3, 3]);
    expect(err.message).toContain("not closed");
    expect(err.message).toContain("line 3, column 3");
  });

  it("reports an unknown filter where it is used", () => {
    const err = parseError("<p>\n\n    {{ user.mobilePhone | phnoe }}</p>");
    expect(err.code).toBe("TEMPLATE_PARSE");
    expect(err.line).toBe(3);
    expect(err.column).toBe(5);
    expect(err.message).toContain("undefined filter: phnoe");
  });

  it("reports an unclosed line block", () => {
    const err = parseError("a\n{% line %}<br>{{ user.x }}");
    expect(err.line).toBe(2);
    expect(err.message).toContain("{% line %} not closed");
  });

  it.each([["include"], ["render"], ["layout"]])("refuses {%% %s %%}, which would read files", (tag) => {
    const err = parseError(`<p>hi</p>\n{% ${tag} "/etc/passwd" %}`);
    expect(err.code).toBe("TEMPLATE_PARSE");
    expect(err.line).toBe(2);
    expect(err.message).toContain("cannot read files");
  });
});

describe("renderCompiled", () => {
  it("escapes directory values in HTML", async () => {
    const html = await render("<b>{{ user.displayName }}</b>", {
      user: { displayName: "Carol <Script> & Co" },
    });
    expect(html).toBe("<b>Carol &lt;Script&gt; &amp; Co</b>");
  });

  it("writes directory values unescaped in text", async () => {
    const text = await render(
      "{{ user.displayName }}",
      { user: { displayName: "Carol <Script> & Co" } },
      "text",
    );
    expect(text).toBe("Carol <Script> & Co");
  });

  it("renders a missing attribute as nothing", async () => {
    expect(await render("[{{ user.fax }}][{{ nothing.at.all }}]", { user: {} })).toBe("[][]");
  });

  it("treats an empty string as false in conditions", async () => {
    const html = await render("{% if user.mobilePhone %}M{% else %}none{% endif %}", {
      user: { mobilePhone: "" },
    });
    expect(html).toBe("none");
  });

  it.each([
    ["{{ user.constructor }}"],
    ["{{ user.__proto__ }}"],
    ["{{ user.constructor.name }}"],
    ["{{ user.toString }}"],
    ["{{ user.hasOwnProperty }}"],
    ['{{ user["constructor"]["constructor"] }}'],
  ])("renders %s as nothing (own properties only)", async (source) => {
    expect(await render(source, { user: { displayName: "Alice" } })).toBe("");
  });

  it("stops an endless loop at the render time limit with a TemplateError", async () => {
    const loop = "{% for i in (1..100000) %}{% for j in (1..100000) %}x{% endfor %}{% endfor %}";
    const result = render(loop, {}, "html", 50);
    await expect(result).rejects.toBeInstanceOf(TemplateError);
    await expect(result).rejects.toMatchObject({ code: "TEMPLATE_RENDER", template: "standard" });
    await expect(result).rejects.toThrow(/render limit exceeded/);
  });

  it("stops a huge range at the memory limit with a TemplateError", async () => {
    const result = render("{% for i in (1..1000000000) %}x{% endfor %}", {});
    await expect(result).rejects.toMatchObject({ code: "TEMPLATE_RENDER", line: 1, column: 1 });
    await expect(result).rejects.toThrow(/memory alloc limit exceeded/);
  });

  it("formats dates in UTC whatever the host's time zone", async () => {
    const html = await render('{{ now | date: "%Y-%m-%d %H:%M" }}', {
      now: new Date("2024-05-01T23:30:00Z"),
    });
    expect(html).toBe("2024-05-01 23:30");
  });
});
