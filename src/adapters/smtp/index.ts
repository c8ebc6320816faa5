/**
 * @module mailstamp/smtp — the SMTP relay: your mail server routes outgoing mail through it, it stamps each
 * message and passes it to the next hop in lockstep, so nothing is lost and nothing is accepted that the next
 * hop did not accept (SPEC §8). Built on the public `mailstamp` API only; smtp-server receives.
 */
export { createRelay } from "./create-relay.js";
export type { Relay, RelayAddress } from "./create-relay.js";
export { relayOptionsFromConfig, RELAY_DEFAULTS } from "./relay-options.js";
export type {
  RelayOptions,
  RelayConfigOptions,
  RelaySession,
  RelayUpstreamOptions,
  RelayTlsOptions,
  RelayAllowOptions,
  RelayLimits,
} from "./relay-options.js";
export { hashPassword, verifyPassword } from "./password-hash.js";
export type { HashPasswordOptions } from "./password-hash.js";
export { createJsonLogger } from "./json-logger.js";
export type { RelayMetricsSnapshot, TransactionOutcome } from "./metrics.js";
export type { UpstreamTlsMode } from "./upstream-client.js";
export type { SmtpReply } from "./smtp-reply.js";
