import { describe, expect, it } from "vitest";
import type { ResolvedTemplate } from "../../../src/core/config/types.js";
import { MailstampError, TemplateError } from "../../../src/core/errors.js";
import { createTemplateRenderer, renderTemplate } from "../../../src/core/render/render-template.js";
import type { TemplateData } from "../../../src/core/render/render-template.js";

const PNG = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3]);
const JPEG = new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 9, 9, 9]);

function template(fields: Partial<ResolvedTemplate>): ResolvedTemplate {
  return { name: "standard", images: {}, ...fields };
}

function data(user: Record<string, unknown> = {}, extra: Partial<TemplateData> = {}): TemplateData {
  return {
    user,
    sender: { address: "alice@example.com", name: "Alice Example", domain: "example.com" },
    recipients: [{ address: "bob@example.net", domain: "example.net", internal: false }],
    message: { subject: "Quarterly numbers", type: "new" },
    org: { name: "Example Corp" },
    now: new Date("2024-05-01T12:34:56.789Z"),
    ...extra,
  };
}

const STANDARD = template({
  html:
    "<style>.name { font-weight: bold }</style>\n" +
    '<p class="name">{{ user.displayName }}</p><p>{{ user.jobTitle }}' +
    '{% line %}<br>M {{ user.mobilePhone | phone }}{% endline %}<br><a href="{{ user.mail | mailto }}">{{ user.mail }}</a></p>\n',
  css: "p { margin: 0 }",
});

describe("renderTemplate", () => {
  it("escapes a directory value in the HTML and keeps it readable in the text", async () => {
    const stamp = await renderTemplate(STANDARD, data({ displayName: "Carol <Script> & Co" }));
    expect(stamp.html).toContain("Carol &lt;Script&gt; &amp; Co");
    expect(stamp.html).not.toContain("<Script>");
    expect(stamp.text).toContain("Carol <Script> & Co");
  });

  it("removes script, event handlers and javascript: URLs the template itself contains", async () => {
    const stamp = await renderTemplate(
      template({
        html: '<p onclick="steal()">Hi {{ user.givenName }}</p><script>alert(1)</script><a href="javascript:alert(1)">x</a>',
      }),
      data({ givenName: "Alice" }),
    );
    expect(stamp.html).toBe("<p>Hi Alice</p><a>x</a>");
  });

  it("inlines <style> rules and the css option into style attributes", async () => {
    const stamp = await renderTemplate(STANDARD, data({ displayName: "Alice" }));
    expect(stamp.html).not.toContain("<style");
    expect(stamp.html).toMatch(/<p class="name" style="[^"]*margin:0[^"]*font-weight:bold[^"]*">Alice<\/p>/);
  });

  it("leaves no empty mobile line for a user without a mobile number", async () => {
    const stamp = await renderTemplate(
      STANDARD,
      data({ displayName: "Alice", jobTitle: "CFO", mail: "a@example.com" }),
    );
    expect(stamp.html).toContain("CFO<br /><a");
    expect(stamp.html).not.toContain("M ");
    expect(stamp.text).toBe("Alice\nCFO\na@example.com");
  });

  it("derives the text with links as label <url>", async () => {
    const stamp = await renderTemplate(
      template({
        html: '<p>{{ user.displayName }}<br><a href="https://example.com/careers">We are hiring</a></p>',
      }),
      data({ displayName: "Alice" }),
    );
    expect(stamp.text).toBe("Alice\nWe are hiring <https://example.com/careers>");
  });

  it("uses the text template for the text and renders it unescaped", async () => {
    const stamp = await renderTemplate(
      template({
        html: "<p>{{ user.displayName }}</p>",
        text: "\n{{ user.displayName }} · {{ org.name }}\n\n",
      }),
      data({ displayName: "Smith & Co" }),
    );
    expect(stamp.text).toBe("Smith & Co · Example Corp");
    expect(stamp.html).toBe("<p>Smith &amp; Co</p>");
  });

  it("builds the HTML of a text-only template from its escaped lines", async () => {
    const stamp = await renderTemplate(
      template({ text: "{{ user.displayName }}\n-- \n<b>not bold</b>" }),
      data({ displayName: "A&B" }),
    );
    expect(stamp.text).toBe("A&B\n-- \n<b>not bold</b>");
    expect(stamp.html).toBe("<div>A&amp;B<br>-- <br>&lt;b&gt;not bold&lt;/b&gt;</div>");
  });

  it("gives templates the sender, recipients, message, org and now", async () => {
    const stamp = await renderTemplate(
      template({
        text: '{{ sender.domain }}|{{ recipients[0].address }}|{{ recipients[0].internal }}|{{ message.subject }}|{{ message.type }}|{{ org.name }}|{{ now | date: "%Y-%m-%d %H:%M:%S" }}',
      }),
      data(),
    );
    expect(stamp.text).toBe(
      "example.com|bob@example.net|false|Quarterly numbers|new|Example Corp|2024-05-01 12:34:00",
    );
  });

  it("renders the text independently of what the HTML template did", async () => {
    const stamp = await renderTemplate(
      template({ html: "<p>{% increment n %}</p>", text: "{% increment n %}" }),
      data(),
    );
    expect([stamp.html, stamp.text]).toEqual(["<p>0</p>", "0"]);
  });

  it("renders nothing for prototype properties of the data", async () => {
    const stamp = await renderTemplate(
      template({
        html: "<p>[{{ user.constructor }}{{ user.__proto__ }}{{ org.constructor.name }}{{ images.toString }}]</p>",
      }),
      data({ displayName: "Alice" }),
    );
    expect(stamp.html).toBe("<p>[]</p>");
  });

  it("turns an endless loop into a TEMPLATE_RENDER error", async () => {
    const loop = template({
      html: "{% for i in (1..100000) %}{% for j in (1..100000) %}x{% endfor %}{% endfor %}",
    });
    const result = renderTemplate(loop, data(), { timeoutMs: 50 });
    await expect(result).rejects.toBeInstanceOf(TemplateError);
    await expect(result).rejects.toMatchObject({ code: "TEMPLATE_RENDER", template: "standard" });
  });

  it("rejects a template that does not parse with its position", async () => {
    const result = renderTemplate(template({ html: "<p>\n{{ user.x | nope }}</p>" }), data());
    await expect(result).rejects.toMatchObject({ code: "TEMPLATE_PARSE", line: 2, column: 1 });
  });

  it.each([
    [{ timeoutMs: 0 }],
    [{ timeoutMs: Number.NaN }],
    [{ timeoutMs: -5 }],
    [{ cacheSize: 1.5 }],
    [{ cacheSize: -1 }],
  ])("refuses the options %j", async (options) => {
    await expect(renderTemplate(STANDARD, data(), options)).rejects.toMatchObject({
      code: "OPTIONS_INVALID",
    });
    expect(() => createTemplateRenderer(options)).toThrow(MailstampError);
  });
});

describe("images", () => {
  const LOGO = template({
    html: '<img src="{{ images.logo }}" alt="Logo"><img src="{{ images.banner }}" alt="">',
    images: {
      logo: { name: "logo", embed: true, data: PNG },
      banner: { name: "banner", embed: false, url: "https://cdn.example.com/banner.png?v=1&size=2" },
      unused: { name: "unused", embed: true, data: JPEG, contentType: "image/jpeg" },
    },
  });

  it("renders an embedded image as a cid: URL and returns its part", async () => {
    const stamp = await renderTemplate(LOGO, data());
    const [logo, ...others] = stamp.images;
    expect(others).toEqual([]);
    expect(logo?.cid).toMatch(/^logo\.[0-9a-f]{12}@mailstamp$/);
    expect(stamp.html).toContain(`<img src="cid:${logo?.cid}" alt="Logo" />`);
    expect(logo).toMatchObject({ name: "logo", contentType: "image/png", filename: "logo.png", data: PNG });
  });

  it("renders a remote image as its URL and attaches nothing for it", async () => {
    const stamp = await renderTemplate(LOGO, data());
    expect(stamp.html).toContain('src="https://cdn.example.com/banner.png?v=1&amp;size=2"');
    expect(stamp.images.map((image) => image.name)).toEqual(["logo"]);
  });

  it("gives the same bytes the same content id and different bytes another", async () => {
    const again = template({ ...LOGO, images: { logo: { name: "logo", embed: true, data: PNG.slice() } } });
    const other = template({ ...LOGO, images: { logo: { name: "logo", embed: true, data: JPEG } } });
    const [a, b, c] = await Promise.all([LOGO, again, other].map((t) => renderTemplate(t, data())));
    expect(b?.images[0]?.cid).toBe(a?.images[0]?.cid);
    expect(c?.images[0]?.cid).not.toBe(a?.images[0]?.cid);
    expect(c?.images[0]?.contentType).toBe("image/jpeg");
  });

  it("offers the directory photo as images.photo", async () => {
    const photo = template({
      html: '{% if images.photo %}<img src="{{ images.photo }}" alt="">{% endif %}<p>x</p>',
    });
    const withPhoto = await renderTemplate(photo, data({ photo: { data: JPEG, contentType: "image/jpeg" } }));
    expect(withPhoto.images).toHaveLength(1);
    expect(withPhoto.images[0]).toMatchObject({
      name: "photo",
      contentType: "image/jpeg",
      filename: "photo.jpg",
    });
    expect(withPhoto.html).toContain(`src="cid:${withPhoto.images[0]?.cid}"`);
    const without = await renderTemplate(photo, data({}));
    expect(without.html).toBe("<p>x</p>");
    expect(without.images).toEqual([]);
  });
});

describe("createTemplateRenderer", () => {
  it("returns the cached stamp for the same template and data without rendering again", async () => {
    const renderer = createTemplateRenderer();
    const first = await renderer.render(STANDARD, data({ displayName: "Alice" }));
    const second = await renderer.render(STANDARD, data({ displayName: "Alice" }));
    expect(second).toBe(first);
    expect(Object.isFrozen(first)).toBe(true);
  });

  it("shares one render between concurrent requests", async () => {
    const renderer = createTemplateRenderer();
    const [a, b] = await Promise.all([
      renderer.render(STANDARD, data({ displayName: "Alice" })),
      renderer.render(STANDARD, data({ displayName: "Alice" })),
    ]);
    expect(a).toBe(b);
  });

  it("renders different data differently", async () => {
    const renderer = createTemplateRenderer();
    const alice = await renderer.render(STANDARD, data({ displayName: "Alice" }));
    const bob = await renderer.render(STANDARD, data({ displayName: "Bob" }));
    expect(bob.html).toContain("Bob");
    expect(alice.html).toContain("Alice");
  });

  it("renders again when the template source changes", async () => {
    const renderer = createTemplateRenderer();
    const one = await renderer.render(template({ html: "<p>one</p>" }), data());
    const two = await renderer.render(template({ html: "<p>two</p>" }), data());
    expect([one.html, two.html]).toEqual(["<p>one</p>", "<p>two</p>"]);
  });

  it("reuses a stamp within the same minute and renders a new one in the next", async () => {
    const renderer = createTemplateRenderer();
    const clock = template({ text: '{{ now | date: "%H:%M:%S" }}' });
    const early = await renderer.render(clock, data({}, { now: new Date("2024-05-01T12:34:01Z") }));
    const late = await renderer.render(clock, data({}, { now: new Date("2024-05-01T12:34:59Z") }));
    const next = await renderer.render(clock, data({}, { now: new Date("2024-05-01T12:35:00Z") }));
    expect(late).toBe(early);
    expect(early.text).toBe("12:34:00");
    expect(next.text).toBe("12:35:00");
  });

  it("reuses a user-only stamp for messages that differ in subject and recipients", async () => {
    const renderer = createTemplateRenderer();
    const signature = template({ html: "<p>{{ user.displayName }}</p>" });
    const first = await renderer.render(
      signature,
      data({ displayName: "Alice" }, { message: { subject: "One", type: "new" } }),
    );
    const second = await renderer.render(
      signature,
      data({ displayName: "Alice" }, { message: { subject: "Two", type: "reply" }, recipients: [] }),
    );
    expect(second).toBe(first);
  });

  it("renders again per message when the template reads the message", async () => {
    const renderer = createTemplateRenderer();
    const withSubject = template({ text: "Re {{ message.subject }}" });
    const one = await renderer.render(withSubject, data({}, { message: { subject: "One", type: "new" } }));
    const two = await renderer.render(withSubject, data({}, { message: { subject: "Two", type: "new" } }));
    expect([one.text, two.text]).toEqual(["Re One", "Re Two"]);
  });

  it("keys on all data when a template looks a variable up by a computed name", async () => {
    const renderer = createTemplateRenderer();
    const computed = template({ text: '{% assign root = "mess" | append: "age" %}{{ [root].subject }}' });
    const one = await renderer.render(computed, data({}, { message: { subject: "One", type: "new" } }));
    const two = await renderer.render(computed, data({}, { message: { subject: "Two", type: "new" } }));
    expect(two).not.toBe(one);
    expect(two.text).toBe("Two");
  });

  it("renders afresh after clear()", async () => {
    const renderer = createTemplateRenderer();
    const first = await renderer.render(STANDARD, data({ displayName: "Alice" }));
    renderer.clear();
    const second = await renderer.render(STANDARD, data({ displayName: "Alice" }));
    expect(second).not.toBe(first);
    expect(second).toEqual(first);
  });

  it("does not cache with cacheSize 0", async () => {
    const renderer = createTemplateRenderer({ cacheSize: 0 });
    const first = await renderer.render(STANDARD, data({ displayName: "Alice" }));
    const second = await renderer.render(STANDARD, data({ displayName: "Alice" }));
    expect(second).not.toBe(first);
    expect(second).toEqual(first);
  });

  it("drops the least recently used stamp beyond cacheSize", async () => {
    const renderer = createTemplateRenderer({ cacheSize: 2 });
    const a = await renderer.render(STANDARD, data({ displayName: "A" }));
    await renderer.render(STANDARD, data({ displayName: "B" }));
    expect(await renderer.render(STANDARD, data({ displayName: "A" }))).toBe(a);
    await renderer.render(STANDARD, data({ displayName: "C" }));
    const b = await renderer.render(STANDARD, data({ displayName: "B" }));
    expect(await renderer.render(STANDARD, data({ displayName: "B" }))).toBe(b);
    expect(await renderer.render(STANDARD, data({ displayName: "A" }))).not.toBe(a);
  });
});
