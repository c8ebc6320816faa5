/**
 * A directory user: a flat record of attributes (Microsoft Graph names), the user's group names, and
 * optionally a photo. Unknown senders have no record; templates then see `user` as `{}`.
 */
export interface DirectoryUser {
  mail?: string;
  displayName?: string;
  givenName?: string;
  surname?: string;
  jobTitle?: string;
  department?: string;
  companyName?: string;
  mobilePhone?: string;
  businessPhones?: string[];
  officeLocation?: string;
  streetAddress?: string;
  city?: string;
  state?: string;
  postalCode?: string;
  country?: string;
  /** Group names (display names), transitive where the provider knows them. */
  groups: string[];
  photo?: { data: Uint8Array; contentType: string };
  /** Any further attribute a provider or the static config supplies. */
  [attribute: string]: unknown;
}

/**
 * Where sender details come from: the static config, Microsoft Graph (`mailstamp/graph`) or the host's own.
 *
 * @example
 * const directory: Directory = { lookup: async (address) => myUsers.get(address.toLowerCase()) };
 */
export interface Directory {
  /** Finds the user for an address (any case, primary or alias); `undefined` when unknown. */
  lookup(address: string): Promise<DirectoryUser | undefined>;
}
