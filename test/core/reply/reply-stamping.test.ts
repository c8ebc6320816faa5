import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import PostalMime from "postal-mime";
import { stringify } from "yaml";
import { describe, expect, it } from "vitest";
import { run } from "../../../src/cli/run.js";
import { createStamper } from "../../../src/index.js";
import { testConfig } from "../../helpers/config.js";
import { buildMessage, leaf, multipart, PNG_1PX } from "../../helpers/messages.js";

const replies = join(import.meta.dirname, "../../fixtures/replies");
const body = (file: string) => readFileSync(join(replies, file), "utf8");
const fixedClock = () => new Date("2026-11-02T10:00:00Z");

/** A multipart/alternative reply from Alice to an external partner, both parts base64 so any text fits. */
function reply(textBody: string, htmlBody: string, subject = "Re: Quarterly numbers"): string {
  const b64 = (s: string) =>
    (
      Buffer.from(s, "utf8")
        .toString("base64")
        .match(/.{1,76}/g) ?? []
    ).join("\r\n");
  return [
    "From: Alice Example <alice@example.com>",
    "To: Bob Partner <bob@partner.test>",
    `Subject: ${subject}`,
    "Message-ID: <reply-1@example.com>",
    "In-Reply-To: <orig-1@partner.test>",
    "MIME-Version: 1.0",
    'Content-Type: multipart/alternative; boundary="b1"',
    "",
    "--b1",
    "Content-Type: text/plain; charset=utf-8",
    "Content-Transfer-Encoding: base64",
    "",
    b64(textBody),
    "--b1",
    "Content-Type: text/html; charset=utf-8",
    "Content-Transfer-Encoding: base64",
    "",
    b64(htmlBody),
    "--b1--",
    "",
  ].join("\r\n");
}

const signatureOnly = testConfig({
  rules: [{ name: "Signature", when: { recipients: "external" }, stamps: [{ template: "standard" }] }],
});

// Each client's reply as the corpus holds it: the sender's last words, and the first words of the quote.
const CLIENTS = [
  {
    client: "Gmail",
    text: body("gmail/chatwoot_gmail_reply_sig_after_quote.txt"),
    html: body("gmail/chatwoot_gmail_reply_sig_after_quote.html"),
    own: "reproduce this issue",
    quote: ["On Thu, Aug 19, 2021", "On Thu, Aug 19, 2021"],
    pattern: "gmail-quote",
  },
  {
    client: "Outlook desktop",
    text: body("outlook-desktop/talon_outlook2010_reply.txt"),
    html: body("outlook-desktop/talon_outlook2010_reply.html"),
    own: "Allo! Follow up MIME!",
    quote: ["From: xxx@xxx.mailgun.org", "From:"],
    pattern: "outlook-header-block:en",
  },
  {
    client: "Outlook on the web",
    text: body("outlook-web/crisp_msn_underscore.txt"),
    html: '<html><body><div style="font-family:Calibri">Fusce sed odio id arcu varius aliquet nec nec nibh.</div><div id="appendonsend"></div><hr style="display:inline-block;width:98%" tabindex="-1"><div id="divRplyFwdMsg" dir="ltr"><b>From:</b> The Hiring Engine<br><b>Sent:</b> Monday</div><div>Earlier message</div></body></html>',
    own: "aliquet nec nec nibh.",
    quote: ["________________________________", "From:"],
    pattern: "outlook-web:appendonsend",
  },
  {
    client: "Outlook mobile",
    text: body("outlook-ios/crisp_ios_outlook_en.txt"),
    html: '<html><body><div dir="auto">Thanks</div><div id="ms-outlook-mobile-signature"><div dir="auto">Get Outlook for iOS</div></div><hr style="display:inline-block;width:98%" tabindex="-1"><div id="divRplyFwdMsg" dir="ltr"><b>From:</b> The Hiring Engine<br><b>Sent:</b> Monday</div><div>Earlier message</div></body></html>',
    own: "Get Outlook for iOS",
    quote: ["________________________________", "From:"],
    pattern: "outlook-web:divRplyFwdMsg",
  },
  {
    client: "Apple Mail",
    text: body("apple-mail/talon_iphone_sent_from.txt"),
    html: body("apple-mail/quotequail_ios_reply.html"),
    own: "Sent from my iPhone",
    quote: ["On Apr 3, 2012", "On Sep 4, 2025"],
    pattern: "attribution:en",
  },
  {
    client: "Thunderbird",
    text: "Thanks, that works.\n\nOn 4/16/25 8:31 AM, Jan Beulich wrote:\n> Does it work?\n",
    html: '<html><body><p>Thanks, that works.</p><div class="moz-cite-prefix">On 4/16/25 8:31 AM, Jan Beulich wrote:<br></div><blockquote type="cite">Does it work?</blockquote></body></html>',
    own: "that works.",
    quote: ["On 4/16/25", "On 4/16/25"],
    pattern: "thunderbird-cite-prefix",
  },
] as const;

describe("under-reply in whole replies", () => {
  it.each(CLIENTS.map((c) => [c.client, c] as const))(
    "puts the signature between the new text and the quote of a %s reply, in both parts",
    async (_client, c) => {
      const result = await createStamper(signatureOnly, { clock: fixedClock }).stamp(reply(c.text, c.html));
      expect(result.status).toBe("stamped");
      expect(result.messageType).toBe("reply");
      expect(result.stamps[0]?.boundary?.["text/html"]).toBe(c.pattern);
      const parsed = await PostalMime.parse(result.message);
      const [textQuote, htmlQuote] = c.quote;
      const t = parsed.text ?? "";
      const h = parsed.html ?? "";
      const sigText = t.indexOf("Alice Example · Chief Financial Officer");
      expect(sigText).toBeGreaterThan(t.indexOf(c.text.includes(c.own) ? c.own : "\u0000"));
      expect(sigText).toBeLessThan(t.indexOf(textQuote));
      const sigHtml = h.indexOf("<b>Alice Example</b>");
      expect(sigHtml).toBeGreaterThan(h.indexOf(c.html.includes(c.own) ? c.own : "\u0000"));
      expect(sigHtml).toBeLessThan(h.indexOf(htmlQuote, h.indexOf("</div>", sigHtml)));
    },
  );

  it("stamps a new message at the end of the body", async () => {
    const result = await createStamper(signatureOnly).stamp(
      reply("Hello Bob,\nthe numbers are in.\n", "<html><body><p>Hello Bob,</p></body></html>", "Numbers"),
    );
    expect(result.stamps[0]?.boundary).toBeUndefined();
    const parsed = await PostalMime.parse(result.message);
    expect(parsed.text?.trimEnd().endsWith("M +1 555 0100")).toBe(true);
  });
});

describe("once: thread", () => {
  const legalOnce = testConfig({
    rules: [
      {
        name: "Legal",
        when: { recipients: "external" },
        stamps: [{ template: "legal", placement: "bottom", once: "thread" }],
      },
    ],
  });

  it("adds no second disclaimer to a long thread whose earlier messages carry it", async () => {
    const stamper = createStamper(legalOnce, { clock: fixedClock });
    const first = await stamper.stamp(
      reply("Numbers attached.\n", "<html><body><p>Numbers attached.</p></body></html>", "Numbers"),
    );
    expect(first.status).toBe("stamped");
    const firstParsed = await PostalMime.parse(first.message);
    // Bob answers in Gmail, quoting Alice's stamped message; Alice answers again.
    const quotedHtml = `<div dir="ltr">Thanks!</div><div class="gmail_quote"><div class="gmail_attr">On Mon, Nov 2, 2026 at 10:00 AM Alice &lt;alice@example.com&gt; wrote:<br></div><blockquote class="gmail_quote">${firstParsed.html}</blockquote></div>`;
    const quotedText = `Thanks!\n\nOn Mon, Nov 2, 2026 at 10:00 AM Alice <alice@example.com> wrote:\n${(firstParsed.text ?? "").replace(/^/gm, "> ")}`;
    const second = await stamper.stamp(
      reply(`Great.\n\n${quotedText}`, `<html><body><p>Great.</p>${quotedHtml}</body></html>`),
    );
    expect(second).toMatchObject({ status: "skipped", reason: "no-rule-matched" });
    expect(second.detail).toContain("already in the thread");
  });

  it("finds the disclaimer by its text when a client rewrote the quoted HTML and dropped the marker", async () => {
    const stamper = createStamper(legalOnce, { clock: fixedClock });
    const rewritten =
      '<html><body><p>Great.</p><div id="appendonsend"></div><hr><div id="divRplyFwdMsg"><b>From:</b> Alice<br><b>Sent:</b> Monday</div><div><p class="x_MsoNormal">Numbers attached.</p><p style="font-size:10px">This message is<br>\nconfidential.</p></div></body></html>';
    const result = await stamper.stamp(reply("Great.\n", rewritten));
    expect(result).toMatchObject({ status: "skipped", reason: "no-rule-matched" });
  });

  it("still adds the disclaimer when only the sender's own new text mentions it", async () => {
    const stamper = createStamper(legalOnce, { clock: fixedClock });
    const own =
      '<html><body><p>Please note: this message is confidential.</p><div class="gmail_quote">On Mon, Bob wrote:<blockquote>Can you send the numbers?</blockquote></div></body></html>';
    const result = await stamper.stamp(
      reply("Please note: this message is confidential.\n\n> Can you send the numbers?\n", own),
    );
    expect(result.status).toBe("stamped");
  });
});

describe("body scope latest", () => {
  it("lets a rule see only the text above the quoted conversation", async () => {
    const config = testConfig({
      rules: [
        {
          name: "Pricing notice",
          when: { body: { contains: "price list", scope: "latest" } },
          stamps: [{ template: "legal", placement: "bottom" }],
        },
      ],
    });
    const stamper = createStamper(config, { clock: fixedClock });
    const quotedOnly = reply(
      "Sure.\n\nOn Mon, 2 Nov 2026 at 09:00, Bob <bob@partner.test> wrote:\n> Can you send the price list?\n",
      "<html><body><p>Sure.</p><blockquote>Can you send the price list?</blockquote></body></html>",
    );
    expect((await stamper.stamp(quotedOnly)).status).toBe("skipped");
    const inLatest = reply(
      "Here is the price list.\n\n> Can you send it?\n",
      "<p>Here is the price list.</p>",
    );
    expect((await stamper.stamp(inLatest)).status).toBe("stamped");
  });
});

describe("mailstamp explain on a reply", () => {
  it("shows the message type and the pattern that placed each stamp", async () => {
    const dir = mkdtempSync(join(tmpdir(), "mailstamp-reply-"));
    writeFileSync(join(dir, "mailstamp.config.yaml"), stringify(signatureOnly));
    const c = CLIENTS[0];
    writeFileSync(join(dir, "reply.eml"), reply(c.text, c.html));
    let stdout = "";
    const code = await run(["explain", "reply.eml"], {
      stdin: Readable.from([]),
      stdout: { write: (s: string | Uint8Array) => (stdout += String(s)) },
      stderr: { write: () => undefined },
      cwd: dir,
    });
    expect(code).toBe(0);
    expect(stdout).toContain("message type: reply");
    expect(stdout).toMatch(/standard .*under-reply.*text\/html at gmail-quote/);
    expect(stdout).toMatch(/text\/plain at attribution:en/);
  });
});

/** A new plain-text message from Alice to an external partner: no Re:, no In-Reply-To, no References. */
function newPlain(textBody: string): Uint8Array {
  return buildMessage(
    leaf(["Content-Type: text/plain; charset=utf-8", "Content-Transfer-Encoding: 8bit"], textBody),
    {
      headers: [
        "From: Alice Example <alice@example.com>",
        "To: Bob Partner <bob@partner.test>",
        "Subject: Event on Friday",
        "Message-ID: <new-1@example.com>",
        "MIME-Version: 1.0",
      ],
    },
  );
}

describe("new messages whose sentences look like attributions", () => {
  const body =
    "Hi Bob,\n\nPlease register with events@example.com by 17:00 and bring the following:\n- laptop\n- ID\n\nThanks\nAlice\n";

  it("puts the signature at the end, not in the middle of the text", async () => {
    const result = await createStamper(signatureOnly, { clock: fixedClock }).stamp(newPlain(body));
    expect(result.status).toBe("stamped");
    expect(result.messageType).toBe("new");
    expect(result.stamps[0]?.boundary).toBeUndefined();
    const t = (await PostalMime.parse(result.message)).text ?? "";
    expect(t.indexOf("Alice Example · Chief Financial Officer")).toBeGreaterThan(t.indexOf("Thanks\nAlice"));
  });

  it("lets a body rule with scope latest see the whole new message", async () => {
    const config = testConfig({
      rules: [
        {
          name: "Equipment",
          when: { body: { contains: "laptop", scope: "latest" } },
          stamps: [{ template: "legal", placement: "bottom" }],
        },
      ],
    });
    expect((await createStamper(config, { clock: fixedClock }).stamp(newPlain(body))).status).toBe("stamped");
  });
});

/** Apple Mail's plain-text body split around an inline image: `first`, the picture, `second`. */
function appleSplit(first: string, second: string, headers: string[] = []): Uint8Array {
  const image = leaf(
    [
      "Content-Disposition: inline; filename=photo.png",
      'Content-Type: image/png; name="photo.png"',
      "Content-Transfer-Encoding: base64",
    ],
    PNG_1PX,
  );
  return buildMessage(
    multipart("mixed", "Apple-Mail-9", [
      leaf(["Content-Type: text/plain; charset=utf-8", "Content-Transfer-Encoding: 8bit"], first),
      image,
      leaf(["Content-Type: text/plain; charset=utf-8", "Content-Transfer-Encoding: 8bit"], second),
    ]),
    {
      headers: [
        "From: Alice Example <alice@example.com>",
        "To: Bob Partner <bob@partner.test>",
        "Subject: Re: Photos",
        "Message-ID: <split-1@example.com>",
        ...headers,
        "MIME-Version: 1.0",
      ],
    },
  );
}

describe("bodies split around inline images", () => {
  it("lets body rules read the text of every piece, in order", async () => {
    const config = testConfig({
      rules: [
        {
          name: "Pricing",
          when: { body: { contains: "price list" } },
          stamps: [{ template: "legal", placement: "bottom" }],
        },
      ],
    });
    const stamper = createStamper(config, { clock: fixedClock });
    const result = await stamper.stamp(appleSplit("Look at this:\n", "\nand here is the price list.\n"));
    expect(result.status).toBe("stamped");
  });

  it("finds a once-per-thread disclaimer quoted in a later piece", async () => {
    const config = testConfig({
      rules: [
        {
          name: "Legal",
          when: { recipients: "external" },
          stamps: [{ template: "legal", placement: "bottom", once: "thread" }],
        },
      ],
    });
    const stamper = createStamper(config, { clock: fixedClock });
    const quoted =
      "\nNice, isn't it?\n\nOn Mon, 2 Nov 2026 at 09:00, Bob <bob@partner.test> wrote:\n> Send photos.\n>\n> This message is confidential.\n";
    const result = await stamper.stamp(
      appleSplit("Look at this:\n", quoted, ["In-Reply-To: <b1@partner.test>"]),
    );
    expect(result).toMatchObject({ status: "skipped", reason: "no-rule-matched" });
    expect(result.detail).toContain("already in the thread");
  });
});

describe("once: thread and re-flowed plain-text quotes", () => {
  it("finds the disclaimer in a quote whose spaces became no-break spaces", async () => {
    const config = testConfig({
      rules: [
        {
          name: "Legal",
          when: { recipients: "external" },
          stamps: [{ template: "legal", placement: "bottom", once: "thread" }],
        },
      ],
    });
    const nb = "\u00a0";
    const quoted = `Great.\n\n${nb}> Numbers attached.\n${nb}>${nb}This${nb}message${nb}is${nb}confidential.\n`;
    const result = await createStamper(config, { clock: fixedClock }).stamp(newPlain(quoted));
    expect(result).toMatchObject({ status: "skipped", reason: "no-rule-matched" });
  });
});
