/**
 * The `{% line %}…{% endline %}` block: a line of a signature that disappears when it has nothing to say.
 *
 * `{% line %}<br>M {{ user.mobilePhone | phone }}{% endline %}` renders nothing for a user without a mobile
 * number, so the stamp does not show a dangling "M". Literal text alone is not content: only what variable
 * outputs (`{{ … }}`, `echo`) wrote counts. Outputs inside nested tags (`if`, `for`, an inner `line`) count too.
 */
import { Tag } from "liquidjs";
import type { Context, Emitter, Liquid, Parser, Template, TagToken, TopLevelToken } from "liquidjs";

const REGISTER = "mailstamp:line";

interface LineFrame {
  filled: boolean;
}

interface LineRegister {
  frames?: LineFrame[];
}

/** Values a template author thinks of as "not set": nothing, blank text, or a list of such. */
function isBlank(value: unknown): boolean {
  if (value === undefined || value === null || value === false) return true;
  if (typeof value === "string") return value.trim() === "";
  if (Array.isArray(value)) return value.every(isBlank);
  return false;
}

/**
 * Records one variable output for the `line` blocks being rendered; the engines call it from their output
 * escape hook, which sees every `{{ … }}` and `echo` value (with or without `| raw`) before it is written.
 *
 * @example
 * // in the engine's outputEscape: function (this: FilterImpl, v) { noteOutput(this.context, v); return escape(v) }
 */
export function noteOutput(ctx: Context, value: unknown): void {
  const frames = ctx.getRegister<LineRegister>(REGISTER, {}).frames;
  if (!frames || frames.length === 0 || isBlank(value)) return;
  // Content in an inner line is content of every enclosing line as well.
  for (const frame of frames) frame.filled = true;
}

/**
 * The Liquid tag class behind `{% line %}`; register it with `engine.registerTag("line", LineBlock)`.
 *
 * @example
 * engine.registerTag("line", LineBlock);
 * // {% line %}<br>M {{ user.mobilePhone }}{% endline %} → "" when mobilePhone is empty
 * @throws liquidjs ParseError when `{% endline %}` is missing.
 */
export class LineBlock extends Tag {
  private readonly templates: Template[] = [];

  constructor(token: TagToken, remainTokens: TopLevelToken[], liquid: Liquid, parser: Parser) {
    super(token, remainTokens, liquid);
    let closed = false;
    const stream = parser
      .parseStream(remainTokens)
      .on("tag:endline", () => {
        closed = true;
        stream.stop();
      })
      .on("template", (tpl: Template) => {
        this.templates.push(tpl);
      })
      .on("end", () => {
        if (!closed) throw new Error(`tag ${token.getText()} not closed`);
      });
    stream.start();
  }

  *render(ctx: Context, emitter: Emitter): Generator<unknown, void, unknown> {
    const register = ctx.getRegister<LineRegister>(REGISTER, {});
    const frames = (register.frames ??= []);
    const frame: LineFrame = { filled: false };
    frames.push(frame);
    let html: unknown;
    try {
      html = yield this.liquid.renderer.renderTemplates(this.templates, ctx);
    } finally {
      frames.pop();
    }
    if (frame.filled && typeof html === "string") emitter.write(html);
  }

  // liquidjs's static analysis (`analyze()`) drives children() as a generator, like its own block tags.
  // eslint-disable-next-line require-yield
  *children(): Generator<unknown, Template[], unknown> {
    return this.templates;
  }
}
