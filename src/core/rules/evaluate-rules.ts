/**
 * The rule engine (SPEC §3 "Conditions"): which rules match a message, which stamps they select, and a trace
 * that explains every decision (`mailstamp explain`).
 */
import type { ResolvedRule } from "../config/types.js";
import type { ConditionTrace, MessageFacts, Placement, RuleTrace } from "../types.js";
import {
  conditionKeys,
  evaluateCondition,
  evaluateConditionKey,
  type ConditionContext,
} from "./_conditions.js";
import type { Verdict } from "./_trace.js";

/** A template chosen for a message by a matching rule, in the order the rules ran. */
export interface SelectedStamp {
  /** Name of the rule that selected it. */
  rule: string;
  template: string;
  placement: Placement;
  /** `thread`: the stamper leaves it out when the quoted conversation already carries it. */
  once?: "thread";
}

/** What {@link evaluateRules} decided. */
export interface EvaluateRulesResult {
  /** Stamps to apply, each template at most once, in rule order. */
  stamps: SelectedStamp[];
  /** One entry per rule, in evaluation order (priority, then list order). */
  trace: RuleTrace[];
  /** Names of the rules that matched, in evaluation order (empty: outcome `no-rule-matched`). */
  matchedRules: string[];
}

/**
 * Evaluates rules against the facts of one message: rules run by `priority` (lower first) then list order;
 * a rule matches when its `when` holds (an absent `when` always holds) and none of its `unless` conditions
 * holds — each top-level key of `unless` vetoes on its own ("unless the subject says X, or unless the
 * recipients are internal"), while the keys of `when` are ANDed. `stop: true` ends evaluation after that
 * rule matched; `enabled: false` skips a rule. The same template is never selected twice.
 *
 * @throws {ConfigError} `CONFIG_INVALID` for a condition that a parsed config could not contain (unknown
 *   key, wrong type, unsafe regex, bad date) — {@link parseConfig} reports those up front.
 * @example
 * const { stamps, trace } = evaluateRules(config.rules, facts);
 * for (const t of trace) console.log(t.rule, t.matched, t.decidedBy, t.note);
 */
export function evaluateRules(rules: readonly ResolvedRule[], facts: MessageFacts): EvaluateRulesResult {
  // Array#sort is stable, so rules with equal (priority, index) keep the order they were given in.
  const ordered = [...rules].sort((a, b) => a.priority - b.priority || a.index - b.index);
  const bodies = new Map<"latest" | "whole", string>();
  const bodyText = (scope: "latest" | "whole"): string => {
    let text = bodies.get(scope);
    if (text === undefined) {
      text = facts.bodyText(scope);
      bodies.set(scope, text);
    }
    return text;
  };

  const stamps: SelectedStamp[] = [];
  const trace: RuleTrace[] = [];
  const matchedRules: string[] = [];
  const chosenBy = new Map<string, string>();
  let stoppedBy: string | undefined;

  for (const rule of ordered) {
    const base = { rule: rule.name, index: rule.index, enabled: rule.enabled };
    if (stoppedBy !== undefined) {
      trace.push({
        ...base,
        matched: false,
        note: `not reached (stopped by rule "${stoppedBy}")`,
        conditions: [],
      });
      continue;
    }
    if (!rule.enabled) {
      trace.push({ ...base, matched: false, note: "disabled", conditions: [] });
      continue;
    }
    const conditions: ConditionTrace[] = [];
    const ctx: ConditionContext = { facts, trace: conditions, rulePath: `rules[${rule.index}]`, bodyText };
    const outcome = evaluateRule(rule, ctx);
    if (!outcome.matched) {
      trace.push({ ...base, matched: false, ...decided(outcome.decidedBy), note: outcome.note, conditions });
      continue;
    }

    matchedRules.push(rule.name);
    const notes = [conditions.length === 0 ? "matched (no conditions)" : "matched"];
    for (const stamp of rule.stamps) {
      const earlier = chosenBy.get(stamp.template);
      if (earlier !== undefined) {
        notes.push(`template "${stamp.template}" already selected by rule "${earlier}"`);
        continue;
      }
      chosenBy.set(stamp.template, rule.name);
      stamps.push({
        rule: rule.name,
        template: stamp.template,
        placement: stamp.placement,
        ...(stamp.once === undefined ? {} : { once: stamp.once }),
      });
    }
    if (rule.stop) {
      stoppedBy = rule.name;
      notes.push("stop: later rules are not evaluated");
    }
    const last = conditions[conditions.length - 1]?.path;
    trace.push({ ...base, matched: true, ...decided(last), note: notes.join("; "), conditions });
  }

  return { stamps, trace, matchedRules };
}

interface RuleOutcome {
  matched: boolean;
  decidedBy: string | undefined;
  note: string;
}

function evaluateRule(rule: ResolvedRule, ctx: ConditionContext): RuleOutcome {
  if (rule.when !== undefined) {
    const when = evaluateCondition(rule.when, "when", ctx);
    if (!when.holds) {
      return {
        matched: false,
        decidedBy: when.decidedBy,
        note: `not matched: ${when.decidedBy ?? "when"} did not hold`,
      };
    }
  }
  if (rule.unless !== undefined) {
    const unless = rule.unless;
    for (const key of conditionKeys(unless, "unless", ctx)) {
      const veto: Verdict = evaluateConditionKey(unless, key, "unless", ctx);
      if (veto.holds) {
        return { matched: false, decidedBy: veto.decidedBy, note: `vetoed by ${veto.decidedBy ?? "unless"}` };
      }
    }
  }
  return { matched: true, decidedBy: undefined, note: "matched" };
}

// exactOptionalPropertyTypes: leave `decidedBy` out rather than set it to undefined.
function decided(path: string | undefined): { decidedBy?: string } {
  return path === undefined ? {} : { decidedBy: path };
}
