/** Validation of `rules`: names, stamps (which must name a template), conditions, order. */
import { DEFAULTS } from "./defaults.js";
import type { ResolvedRule, ResolvedStamp } from "./types.js";
import { validateCondition } from "./_condition.js";
import { joinPath, type Issues } from "./_issues.js";
import { suggest } from "./_suggest.js";
import {
  checkKeys,
  readArray,
  readBoolean,
  readEnum,
  readInteger,
  readObject,
  readString,
  type PlainObject,
} from "./_schema.js";

const RULE_KEYS = ["name", "enabled", "priority", "when", "unless", "stamps", "stop"] as const;
const STAMP_KEYS = ["template", "placement", "once"] as const;
const PLACEMENTS = ["top", "under-reply", "bottom"] as const;

function resolveStamp(
  value: unknown,
  path: string,
  issues: Issues,
  templateNames: readonly string[],
  used: Map<string, string>,
): ResolvedStamp | undefined {
  const before = issues.list.length;
  const stamp = readObject(value, path, issues);
  if (!stamp) return undefined;
  checkKeys(stamp, STAMP_KEYS, path, issues);
  const templatePath = joinPath(path, "template");
  let template: string | undefined;
  if (stamp.template === undefined) issues.add(templatePath, "required");
  else template = readString(stamp.template, templatePath, issues, { nonEmpty: true });
  if (template !== undefined) {
    if (!templateNames.includes(template)) {
      const hint = suggest(template, templateNames);
      issues.add(
        templatePath,
        hint !== undefined
          ? `unknown template ${JSON.stringify(template)} (did you mean ${JSON.stringify(hint)}?)`
          : templateNames.length > 0
            ? `unknown template ${JSON.stringify(template)} (defined: ${templateNames.join(", ")})`
            : `unknown template ${JSON.stringify(template)} (no templates are defined)`,
      );
    } else if (used.has(template)) {
      // A template is applied at most once per message (SPEC §3), so the second entry would never take effect.
      issues.add(
        templatePath,
        `template ${JSON.stringify(template)} is already stamped by ${used.get(template)}`,
      );
    } else {
      used.set(template, path);
    }
  }
  const placement =
    stamp.placement === undefined
      ? DEFAULTS.stamp.placement
      : readEnum(stamp.placement, PLACEMENTS, joinPath(path, "placement"), issues);
  const once =
    stamp.once === undefined ? undefined : readEnum(stamp.once, ["thread"], joinPath(path, "once"), issues);
  if (issues.list.length !== before || template === undefined || placement === undefined) return undefined;
  return once === undefined ? { template, placement } : { template, placement, once };
}

function resolveRule(
  rule: PlainObject,
  index: number,
  path: string,
  issues: Issues,
  templateNames: readonly string[],
): ResolvedRule | undefined {
  const before = issues.list.length;
  checkKeys(rule, RULE_KEYS, path, issues);
  const namePath = joinPath(path, "name");
  const name =
    rule.name === undefined ? undefined : readString(rule.name, namePath, issues, { nonEmpty: true });
  if (rule.name === undefined) issues.add(namePath, "required");
  const enabled =
    rule.enabled === undefined
      ? DEFAULTS.rule.enabled
      : readBoolean(rule.enabled, joinPath(path, "enabled"), issues);
  const priority =
    rule.priority === undefined
      ? DEFAULTS.rule.priority
      : readInteger(rule.priority, joinPath(path, "priority"), issues);
  const stop =
    rule.stop === undefined ? DEFAULTS.rule.stop : readBoolean(rule.stop, joinPath(path, "stop"), issues);
  const when =
    rule.when === undefined ? undefined : validateCondition(rule.when, joinPath(path, "when"), issues);
  const unless =
    rule.unless === undefined ? undefined : validateCondition(rule.unless, joinPath(path, "unless"), issues);
  const stampsPath = joinPath(path, "stamps");
  const stamps: ResolvedStamp[] = [];
  if (rule.stamps === undefined) issues.add(stampsPath, "required");
  else {
    const list = readArray(rule.stamps, stampsPath, issues);
    if (list && list.length === 0) issues.add(stampsPath, "expected at least one stamp");
    const used = new Map<string, string>();
    list?.forEach((item, i) => {
      const stamp = resolveStamp(item, joinPath(stampsPath, i), issues, templateNames, used);
      if (stamp) stamps.push(stamp);
    });
  }
  if (
    issues.list.length !== before ||
    name === undefined ||
    enabled === undefined ||
    priority === undefined ||
    stop === undefined
  ) {
    return undefined;
  }
  const resolved: ResolvedRule = { name, index, enabled, priority, stamps, stop };
  if (when !== undefined) resolved.when = when;
  if (unless !== undefined) resolved.unless = unless;
  return resolved;
}

/**
 * Validates `rules` against the defined template names and returns them in evaluation order: by priority,
 * lower first, then list order (Array.prototype.sort is stable, ES2019).
 */
export function resolveRules(
  value: unknown,
  path: string,
  issues: Issues,
  templateNames: readonly string[],
): ResolvedRule[] {
  const rules: ResolvedRule[] = [];
  const list = readArray(value, path, issues);
  if (!list) return rules;
  const names = new Map<string, string>();
  list.forEach((item, index) => {
    const rulePath = joinPath(path, index);
    const rule = readObject(item, rulePath, issues);
    if (!rule) return;
    // Names identify rules in traces, logs and `explain`; two rules with one name make those ambiguous.
    if (typeof rule.name === "string" && rule.name.trim() !== "") {
      const key = rule.name.trim();
      const first = names.get(key);
      if (first !== undefined) issues.add(joinPath(rulePath, "name"), `duplicate rule name (also ${first})`);
      else names.set(key, rulePath);
    }
    const resolved = resolveRule(rule, index, rulePath, issues, templateNames);
    if (resolved) rules.push(resolved);
  });
  return rules.sort((a, b) => a.priority - b.priority || a.index - b.index);
}
