import { describe, expect, it } from "vitest";
import { groupScopes, purposeOf, scopesBeyondRole, scopesForPurpose } from "@/lib/api-key-presets";
import { ROLE_SCOPES, type Scope } from "@/lib/scopes";

const as = (role: keyof typeof ROLE_SCOPES) => (scope: Scope) => ROLE_SCOPES[role].includes(scope);

describe("key purposes", () => {
  it("gives a gateway client gateway:invoke and nothing of the console", () => {
    const scopes = scopesForPurpose("gateway", as("owner"));
    expect(scopes).toContain("gateway:invoke");
    expect(scopes.filter((s) => s !== "gateway:invoke" && s !== ("feedback:write" as Scope))).toEqual([]);
  });

  it("gives CI read and write on the registry, prompts, experiments, datasets, evals and routes, the gateway for eval runs, and no admin scope", () => {
    const scopes = scopesForPurpose("ci", as("owner"));
    for (const s of [
      "models:write",
      "prompts:write",
      "experiments:write",
      "datasets:write",
      "evals:read",
      "evals:write",
      "gateway:write",
      "gateway:invoke",
    ])
      expect(scopes).toContain(s);
    for (const s of ["members:write", "apiKeys:write", "project:write", "prompts:protect"])
      expect(scopes).not.toContain(s);
  });

  it("never goes beyond the creator's role, and names what it left out", () => {
    expect(scopesForPurpose("ci", as("viewer")).every((s) => s.endsWith(":read"))).toBe(true);
    expect(scopesForPurpose("read-only", as("viewer"))).toContain("evals:read");
    expect(scopesBeyondRole("ci", as("viewer"))).toContain("models:write");
    expect(scopesBeyondRole("gateway", as("editor"))).toEqual([]);
    expect(scopesForPurpose("gateway", as("viewer"))).toEqual([]);
  });

  it("recognises a purpose from its scopes in any order, else custom", () => {
    const ci = scopesForPurpose("ci", as("admin"));
    expect(purposeOf([...ci].reverse(), as("admin"))).toBe("ci");
    expect(purposeOf(["gateway:invoke", "models:read"], as("admin"))).toBe("custom");
  });

  it("groups scopes by area in the order SCOPES lists them, keeping unknown ones", () => {
    expect(groupScopes(["models:write", "gateway:invoke", "models:read", "legacy:thing"])).toEqual([
      { group: "models", verbs: ["read", "write"] },
      { group: "gateway", verbs: ["invoke"] },
      { group: "legacy", verbs: ["thing"] },
    ]);
  });
});
