import type { MailstampConfig } from "../../src/index.js";

/** A small, realistic config the stamper and CLI tests share. */
export function testConfig(overrides: Partial<MailstampConfig> = {}): MailstampConfig {
  return {
    organization: { name: "Example Corp", domains: ["example.com", "*.example.org"] },
    directory: {
      users: [
        {
          mail: "alice@example.com",
          aliases: ["a@example.com"],
          displayName: "Alice Example",
          jobTitle: "Chief Financial Officer",
          department: "Finance",
          mobilePhone: "+1 555 0100",
          groups: ["Executives", "Staff"],
        },
        {
          mail: "carol@example.com",
          displayName: "Carol <Script> & Co",
          jobTitle: "Sales",
          groups: ["Staff"],
        },
      ],
    },
    templates: {
      standard: {
        html: "<p><b>{{ user.displayName }}</b><br>{{ user.jobTitle }}{% line %}<br>M {{ user.mobilePhone }}{% endline %}</p>",
        text: "-- \n{{ user.displayName }} · {{ user.jobTitle }}{% line %}\nM {{ user.mobilePhone }}{% endline %}",
      },
      legal: { html: '<p style="font-size:10px">This message is confidential.</p>' },
    },
    rules: [
      {
        name: "Signature for external mail",
        when: { recipients: "external" },
        unless: { subject: { contains: "[no-signature]" } },
        stamps: [{ template: "standard" }],
      },
      {
        name: "Legal disclaimer",
        when: { sender: { groups: ["Staff"] } },
        stamps: [{ template: "legal", placement: "bottom", once: "thread" }],
      },
    ],
    ...overrides,
  };
}

/** A multipart/alternative message with CRLF line endings. */
export function alternativeMessage(
  opts: { from?: string; to?: string; subject?: string; extraHeaders?: string } = {},
): string {
  const from = opts.from ?? "Alice Example <alice@example.com>";
  const to = opts.to ?? "Bob Partner <bob@partner.test>";
  return [
    `From: ${from}`,
    `To: ${to}`,
    `Subject: ${opts.subject ?? "Quarterly numbers"}`,
    "Date: Mon, 2 Nov 2026 10:00:00 +0000",
    "Message-ID: <q3-numbers@example.com>",
    ...(opts.extraHeaders ? [opts.extraHeaders] : []),
    "MIME-Version: 1.0",
    'Content-Type: multipart/alternative; boundary="b1"',
    "",
    "--b1",
    "Content-Type: text/plain; charset=utf-8",
    "Content-Transfer-Encoding: 7bit",
    "",
    "Hi Bob,",
    "",
    "the numbers are attached.",
    "",
    "--b1",
    "Content-Type: text/html; charset=utf-8",
    "Content-Transfer-Encoding: 7bit",
    "",
    "<html><body><p>Hi Bob,</p><p>the numbers are attached.</p></body></html>",
    "",
    "--b1--",
    "",
  ].join("\r\n");
}

/**
 * A config plus a rule whose template keeps a stamper busy for seconds (a runaway template) when the subject
 * says "[slow]" — for timeouts and worker replacement.
 */
export function slowConfig(base: MailstampConfig = testConfig()): MailstampConfig {
  return {
    ...base,
    options: { limits: { renderTimeoutMs: 600_000 } },
    templates: {
      ...base.templates,
      slow: { html: "{% for i in (1..1999000) %}{% assign x = i %}{% endfor %}<p>slow</p>" },
    },
    rules: [
      { name: "Slow", when: { subject: { contains: "[slow]" } }, stamps: [{ template: "slow" }] },
      ...(base.rules ?? []),
    ],
  };
}
