/** Builds ResolvedRules for rule-engine tests. */
import type { Condition, ResolvedRule, ResolvedStamp } from "../../../src/core/config/types.js";

export interface RuleInput {
  name?: string;
  index?: number;
  enabled?: boolean;
  priority?: number;
  when?: Condition;
  unless?: Condition;
  stamps?: Array<Partial<ResolvedStamp> & { template: string }>;
  stop?: boolean;
}

let counter = 0;

export function makeRule(input: RuleInput = {}): ResolvedRule {
  const index = input.index ?? counter++;
  return {
    name: input.name ?? `rule ${index}`,
    index,
    enabled: input.enabled ?? true,
    priority: input.priority ?? 0,
    ...(input.when === undefined ? {} : { when: input.when }),
    ...(input.unless === undefined ? {} : { unless: input.unless }),
    stamps: (input.stamps ?? [{ template: "standard" }]).map((s) => ({
      template: s.template,
      placement: s.placement ?? "under-reply",
      ...(s.once === undefined ? {} : { once: s.once }),
    })),
    stop: input.stop ?? false,
  };
}

/** Lists rules with indexes 0, 1, 2, … as parseConfig would. */
export function makeRules(inputs: RuleInput[]): ResolvedRule[] {
  return inputs.map((input, index) => makeRule({ index, ...input }));
}
