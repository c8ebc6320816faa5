/**
 * @module mailstamp/graph — Microsoft Graph for mailstamp: an Entra ID directory (`createGraphDirectory`) and
 * MIME submission through `sendMail` (`createGraphSender`), on `fetch` alone, no Graph SDK.
 *
 * Built only on the public core API (`mailstamp`), like any third-party adapter could be.
 */
export { createGraphDirectory } from "./graph-directory.js";
export type {
  GraphDirectory,
  GraphDirectoryOptions,
  GraphCacheOptions,
  GraphPhotoSize,
  GraphPrefetchResult,
} from "./graph-directory.js";
export { createGraphSender } from "./graph-sender.js";
export type { GraphSender, GraphSenderOptions, GraphSendOptions } from "./graph-sender.js";
export { graphDirectoryOptionsFromConfig } from "./config.js";
export type { GraphRuntimeOptions } from "./config.js";
export { createClientCredential } from "./token-credential.js";
export type {
  AccessToken,
  TokenCredential,
  ClientCredentialOptions,
  ClientCertificate,
} from "./token-credential.js";
export type { GraphConnectionOptions } from "./connection.js";
export { GRAPH_CLOUDS } from "./clouds.js";
export type { GraphCloud, GraphEndpoints } from "./clouds.js";
export { GraphError } from "./graph-error.js";
export type { GraphErrorCode, GraphErrorDetails } from "./graph-error.js";
