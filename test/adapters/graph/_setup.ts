/** A directory wired to the fake with a controllable clock and a sleep that records instead of waiting. */
import { createGraphDirectory, type GraphDirectoryOptions } from "../../../src/adapters/graph/index.js";
import type { FakeGraph } from "../../helpers/fake-graph.js";
import { CLIENT_ID, CLIENT_SECRET, TENANT_ID } from "./_tenant.js";

export interface Harness {
  /** Milliseconds since the epoch as the directory sees it; tests move it forward. */
  now: number;
  /** Every wait the retry policy asked for, in milliseconds. */
  sleeps: number[];
  warnings: string[];
}

export function graphOptions(
  fake: FakeGraph,
  harness: Harness,
  extra: Partial<GraphDirectoryOptions> = {},
): GraphDirectoryOptions {
  return {
    tenantId: TENANT_ID,
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    graphUrl: fake.url,
    authorityUrl: fake.url,
    clock: () => harness.now,
    sleep: async (ms) => {
      harness.sleeps.push(ms);
    },
    logger: { warn: (message) => harness.warnings.push(message) },
    ...extra,
  };
}

export function harness(): Harness {
  return { now: Date.UTC(2024, 4, 1, 9, 0, 0), sleeps: [], warnings: [] };
}

export function directoryFor(fake: FakeGraph, h: Harness, extra: Partial<GraphDirectoryOptions> = {}) {
  return createGraphDirectory(graphOptions(fake, h, extra));
}
