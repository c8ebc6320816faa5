import { describe, expect, it } from "vitest";
import { classifyMessage } from "../../../src/core/reply/classify-message.js";
import { findReplyBoundary } from "../../../src/core/reply/find-reply-boundary.js";

describe("classifyMessage", () => {
  it.each([
    ["Re: Budget", "reply"],
    ["RE: Budget", "reply"],
    ["AW: Budget", "reply"],
    ["SV: Budget", "reply"],
    ["Antw: Budget", "reply"],
    ["Odp: Budget", "reply"],
    ["Ynt: Budget", "reply"],
    ["Réf : Budget", "reply"],
    ["Re[2]: Budget", "reply"],
    ["回复：预算", "reply"],
    ["Fwd: Budget", "forward"],
    ["FW: Budget", "forward"],
    ["WG: Budget", "forward"],
    ["TR: Budget", "forward"],
    ["RV: Budget", "forward"],
    ["Doorst: Budget", "forward"],
    ["转发：预算", "forward"],
    ["RE: AW: Budget", "reply"],
    ["WG: RE: Budget", "forward"],
    ["Budget", "new"],
    ["Regarding: the budget", "new"],
    ["Fwdx: nothing", "new"],
    ["Meeting at 10:30", "new"],
  ] as const)("reads the subject %j as %s", (subject, expected) => {
    expect(classifyMessage({ subject })).toBe(expected);
  });

  it("calls a message with In-Reply-To a reply even without a prefix", () => {
    expect(classifyMessage({ subject: "Budget", inReplyTo: "<a@b>" })).toBe("reply");
    expect(classifyMessage({ subject: "Budget", references: "<a@b> <c@d>" })).toBe("reply");
  });

  it("lets a forward prefix win over reply headers", () => {
    expect(classifyMessage({ subject: "Fwd: Budget", inReplyTo: "<a@b>" })).toBe("forward");
  });

  it("reads the body when headers do not decide", () => {
    expect(classifyMessage({ bodyText: "FYI\n\n---------- Forwarded message ---------\nFrom: x" })).toBe(
      "forward",
    );
    expect(classifyMessage({ bodyText: "See below.\n\nBegin forwarded message:\n\nFrom: x" })).toBe(
      "forward",
    );
    expect(classifyMessage({ bodyText: "Agreed.\n\n> Shall we?\n" })).toBe("reply");
    expect(classifyMessage({ bodyText: "Hello there.\nNo quotes > here.\n" })).toBe("new");
  });

  it("uses the body to tell a Danish forward from a Finnish reply under VS:", () => {
    expect(classifyMessage({ subject: "VS: Budget", bodyText: "Hej\n" })).toBe("reply");
    expect(classifyMessage({ subject: "VS: Budget", bodyText: "-----Original Message-----\nFrom: x" })).toBe(
      "forward",
    );
  });
});

describe("classifyMessage body access", () => {
  it("decodes the body only when the headers do not decide", () => {
    let calls = 0;
    const bodyText = () => {
      calls++;
      return "> quoted";
    };
    expect(classifyMessage({ subject: "Re: x", bodyText })).toBe("reply");
    expect(classifyMessage({ subject: "x", inReplyTo: "<a@b>", bodyText })).toBe("reply");
    expect(calls).toBe(0);
    expect(classifyMessage({ subject: "x", bodyText })).toBe("reply");
    expect(calls).toBe(1);
  });
});

describe("classifyMessage prefixes and body structure (#4)", () => {
  it.each([
    ["Odp.: Budżet", "reply"],
    ["YNT: Bütçe", "reply"],
    ["RIF: Budget", "reply"],
    ["Ответ: Бюджет", "reply"],
    ["[EXT] RE: Budget", "reply"],
    ["[ext] Fwd: Budget", "forward"],
    ["RE: AW: SV: Budget", "reply"],
    ["Doorst: RE: Budget", "forward"],
    ["Fw.: Budget", "forward"],
    ["[ext] Budget", "new"],
  ] as const)("reads the subject %j as %s", (subject, expected) => {
    expect(classifyMessage({ subject })).toBe(expected);
  });

  it("reads a forward or a reply from the body's reply boundary when headers do not decide", () => {
    expect(
      classifyMessage({ bodyText: "FYI", replyBoundary: { pattern: "forward-separator:apple-en" } }),
    ).toBe("forward");
    expect(classifyMessage({ bodyText: "Yes", replyBoundary: () => ({ pattern: "attribution:de" }) })).toBe(
      "reply",
    );
    expect(classifyMessage({ bodyText: "Yes", replyBoundary: () => undefined })).toBe("new");
  });

  it("does not call a message a reply on an attribution line with nothing quoted below it", () => {
    const boundary = { pattern: "attribution:en", attributionOnly: true };
    expect(classifyMessage({ subject: "Budget", bodyText: "x", replyBoundary: boundary })).toBe("new");
    expect(classifyMessage({ subject: "Budget", inReplyTo: "<a@b>", replyBoundary: boundary })).toBe("reply");
  });

  it.each([
    "Hi Bob,\n\nPlease register with events@example.com by 17:00 and bring the following:\n- laptop\n- ID\n\nThanks\nAlice",
    "As I wrote on 3 May:\nthe budget is fine.\n\nAlice",
    "Le 3 juin à 10:00, nous avons écrit :\nle budget est validé.\n",
    "Yes.\n\nOn Mon, 3 Jun 2024 at 10:00, Ann Example <ann@x.test> wrote:\nLunch on Friday?\n",
  ])("reads the new message %j as new", (body) => {
    const replyBoundary = () => findReplyBoundary(body, "text/plain");
    expect(classifyMessage({ subject: "Budget", bodyText: body, replyBoundary })).toBe("new");
  });

  it("reads a body quoted with no-break-space-indented '>' lines as a reply", () => {
    expect(classifyMessage({ subject: "Budget", bodyText: "Ok.\n\n\u00a0> earlier text\n" })).toBe("reply");
  });
});

describe("classifyMessage with prefixes that are also everyday words", () => {
  it.each([
    "Ref: Invoice 4711",
    "REF: PO 1234",
    "R: D project",
    "Res: reservation 12",
    "PR: launch plan",
    "I: ideas",
  ])("reads %j without reply headers or a quote as new", (subject) => {
    expect(classifyMessage({ subject, bodyText: "Hello,\nplease see the details.\n" })).toBe("new");
  });

  it("reads them as replies when reply headers or a quote back them up", () => {
    expect(classifyMessage({ subject: "R: Budget", inReplyTo: "<a@b>" })).toBe("reply");
    expect(classifyMessage({ subject: "Ref: Budget", bodyText: "Ok.\n\n> earlier text\n" })).toBe("reply");
    expect(classifyMessage({ subject: "R: RE: Budget" })).toBe("reply");
    expect(
      classifyMessage({ subject: "I: Budget", bodyText: "---------- Forwarded message ---------\n" }),
    ).toBe("forward");
  });

  it('reads French Outlook\'s "Réf. :" as a reply', () => {
    expect(classifyMessage({ subject: "Réf. : Budget" })).toBe("reply");
  });
});
