/** The Contoso tenant the Graph adapter tests run against (names from Microsoft's own sample tenant). */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { FakeGraphSetup, FakeUser } from "../../helpers/fake-graph.js";

export const TENANT_ID = "2f7c5c3a-0000-4000-8000-000000000001";
export const CLIENT_ID = "9d1c0e2b-0000-4000-8000-000000000002";
export const CLIENT_SECRET = "test-secret~not-real";

/** A throwaway self-signed certificate and key made for these tests only (see test/fixtures/SOURCES.md). */
export const TEST_CERTIFICATE_PEM = readFileSync(
  join(import.meta.dirname, "../../fixtures/graph/test-app-certificate.pem"),
  "utf8",
);

/** The smallest valid JPEG header bytes are enough: the adapter passes photos through unchanged. */
export const ADELE_PHOTO = new Uint8Array([
  0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0xff, 0xd9,
]);

export const adele: FakeUser = {
  id: "87d349ed-44d7-43e1-9a83-5f2406dee5bd",
  userPrincipalName: "AdeleV@contoso.com",
  mail: "AdeleV@contoso.com",
  displayName: "Adele Vance",
  givenName: "Adele",
  surname: "Vance",
  jobTitle: "Retail Manager",
  department: "Retail",
  companyName: "Contoso",
  businessPhones: ["+1 425 555 0109"],
  mobilePhone: null,
  officeLocation: "18/2111",
  streetAddress: "205 108th Ave NE",
  city: "Bellevue",
  state: "WA",
  postalCode: "98004",
  country: "United States",
  employeeId: "E1001",
  proxyAddresses: [
    "SMTP:AdeleV@contoso.com",
    "smtp:adele@sales.contoso.com",
    "X500:/o=ExchangeLabs/cn=Recipients/cn=adele",
  ],
  onPremisesExtensionAttributes: { extensionAttribute1: "she/her", extensionAttribute2: null },
};

export const megan: FakeUser = {
  id: "48d31887-5fad-4d73-a9f5-3c356e68a038",
  userPrincipalName: "MeganB@contoso.com",
  mail: "MeganB@contoso.com",
  displayName: "Megan Bowen",
  jobTitle: "Marketing Manager",
  businessPhones: [],
  proxyAddresses: ["SMTP:MeganB@contoso.com"],
};

/** A user whose mail differs from the UPN: `GET /users/{mail}` is a 404, the proxyAddresses filter finds him. */
export const lee: FakeUser = {
  id: "e8b753b5-0000-4000-8000-00000000000e",
  userPrincipalName: "leeg@contoso.onmicrosoft.com",
  mail: "LeeG@contoso.com",
  displayName: "Lee Gu",
  jobTitle: "Director",
  proxyAddresses: ["SMTP:LeeG@contoso.com", "smtp:leeg@contoso.onmicrosoft.com"],
};

/** A tenant: Adele is in Retail, which is nested in All Staff (a rule on All Staff must apply to her). */
export function contoso(overrides: Partial<FakeGraphSetup> = {}): FakeGraphSetup {
  return {
    tenantId: TENANT_ID,
    tenantAliases: ["contoso.onmicrosoft.com"],
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    certificate: TEST_CERTIFICATE_PEM,
    users: [adele, megan, lee],
    groups: [
      { id: "g-retail", displayName: "Retail", memberOf: ["g-all"] },
      { id: "g-all", displayName: "All Staff", memberOf: ["g-company"] },
      { id: "g-company", displayName: "Contoso Company" },
      { id: "g-sales", displayName: "Sales Team" },
      { id: "r-reader", displayName: "Directory Readers", kind: "directoryRole" },
      { id: "au-west", displayName: "West Coast", kind: "administrativeUnit" },
    ],
    memberOf: { [adele.id]: ["g-retail", "g-sales", "r-reader", "au-west"], [megan.id]: ["g-all"] },
    managers: { [adele.id]: megan.id },
    photos: { [adele.id]: ADELE_PHOTO },
    memberOfPageSize: 2,
    ...overrides,
  };
}
