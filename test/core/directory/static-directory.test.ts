import { describe, expect, it } from "vitest";
import { createStaticDirectory } from "../../../src/core/directory/static-directory.js";

const directory = createStaticDirectory([
  {
    mail: "Alice@Example.com",
    aliases: ["a@example.com", "alice@example.org"],
    displayName: "Alice",
    groups: ["Staff"],
  },
  { mail: "bob@example.com", groups: [] },
]);

describe("createStaticDirectory", () => {
  it("finds a user by primary address in any case", async () => {
    expect((await directory.lookup("alice@EXAMPLE.com"))?.displayName).toBe("Alice");
  });

  it("finds a user by each alias", async () => {
    expect((await directory.lookup("A@example.com"))?.displayName).toBe("Alice");
    expect((await directory.lookup("alice@example.org"))?.displayName).toBe("Alice");
  });

  it("returns undefined for an unknown address", async () => {
    expect(await directory.lookup("carol@example.com")).toBeUndefined();
  });

  it("does not expose aliases as template attributes", async () => {
    expect(await directory.lookup("alice@example.com")).not.toHaveProperty("aliases");
  });

  it("keeps the first user when two claim the same address", async () => {
    const dir = createStaticDirectory([
      { mail: "x@example.com", displayName: "First", groups: [] },
      { mail: "y@example.com", aliases: ["x@example.com"], displayName: "Second", groups: [] },
    ]);
    expect((await dir.lookup("x@example.com"))?.displayName).toBe("First");
  });
});
