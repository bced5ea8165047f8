import { groupScopes } from "@/lib/api-key-presets";

/** Every scope of a key, grouped by area ("models read · write") and wrapping: nothing hidden behind "+9". */
export function ScopeList({ scopes }: { scopes: readonly string[] }) {
  return (
    <ul className="flex min-w-48 max-w-sm flex-wrap gap-1" aria-label={`Scopes: ${scopes.join(", ")}`}>
      {groupScopes(scopes).map(({ group, verbs }) => (
        <li
          key={group}
          className="inline-flex items-center gap-1 rounded-sm border border-border bg-muted px-1.5 py-0.5 text-xs"
        >
          <span className="font-medium">{group}</span>
          <span className="text-muted-foreground">{verbs.join(" · ")}</span>
        </li>
      ))}
    </ul>
  );
}
