/**
 * The Microsoft Graph and Entra ID endpoints of each national cloud. A tenant lives in exactly one cloud, and
 * a token from one cloud's authority is refused by another cloud's Graph, so both URLs switch together.
 */

/** A Microsoft cloud: the global service, US Government (GCC High / DoD) or China (operated by 21Vianet). */
export type GraphCloud = "global" | "usgov" | "usgov-dod" | "china";

/** Where Graph and the token authority of a cloud are. */
export interface GraphEndpoints {
  /** Graph's root, without the `/v1.0` version segment; also the audience of the token (`{graphUrl}/.default`). */
  graphUrl: string;
  /** The Entra ID authority host; tokens come from `{authorityUrl}/{tenant}/oauth2/v2.0/token`. */
  authorityUrl: string;
}

/**
 * The endpoints of every national cloud, from Microsoft's "National cloud deployments" page.
 *
 * @example
 * const { graphUrl, authorityUrl } = GRAPH_CLOUDS.usgov; // https://graph.microsoft.us, https://login.microsoftonline.us
 */
export const GRAPH_CLOUDS: Readonly<Record<GraphCloud, Readonly<GraphEndpoints>>> = Object.freeze({
  global: { graphUrl: "https://graph.microsoft.com", authorityUrl: "https://login.microsoftonline.com" },
  usgov: { graphUrl: "https://graph.microsoft.us", authorityUrl: "https://login.microsoftonline.us" },
  "usgov-dod": {
    graphUrl: "https://dod-graph.microsoft.us",
    authorityUrl: "https://login.microsoftonline.us",
  },
  china: {
    graphUrl: "https://microsoftgraph.chinacloudapi.cn",
    authorityUrl: "https://login.chinacloudapi.cn",
  },
});
