import { ExternalLink } from "lucide-react";
import { Badge, type BadgeTone, buttonStyles, Card, CardContent, PageHeader } from "@/components/ui";
import type { RestEndpoint } from "@/server/trpc/openapi";

const METHOD_TONE: Record<string, BadgeTone> = {
  GET: "info",
  POST: "success",
  PATCH: "warning",
  PUT: "warning",
  DELETE: "danger",
};

export function ApiReference({ endpoints }: { endpoints: RestEndpoint[] }) {
  const tags = [...new Set(endpoints.map((e) => e.tag))];
  return (
    <>
      <PageHeader
        title="API reference"
        description="Every console action is also a REST endpoint. Authenticate with an API key: Authorization: Bearer sy_…"
        actions={
          <a
            href="/api/openapi.json"
            target="_blank"
            rel="noreferrer"
            className={buttonStyles({ variant: "secondary" })}
          >
            OpenAPI document <ExternalLink className="size-4" aria-hidden />
          </a>
        }
      />
      <div className="flex flex-col gap-6">
        {tags.map((tag) => (
          <Card key={tag}>
            <CardContent className="p-0">
              <h2 className="border-border border-b px-4 py-3 font-semibold text-sm">{tag}</h2>
              <ul className="divide-y divide-border">
                {endpoints
                  .filter((e) => e.tag === tag)
                  .map((e) => (
                    // On a phone the row wraps: method and path first, then the summary and the scope.
                    <li
                      key={`${e.method} ${e.path}`}
                      className="flex flex-wrap items-center gap-x-3 gap-y-1 px-4 py-2.5 text-sm"
                    >
                      <Badge tone={METHOD_TONE[e.method] ?? "neutral"} className="w-16 justify-center font-mono">
                        {e.method}
                      </Badge>
                      <code className="min-w-0 break-all font-mono text-xs">{e.path}</code>
                      <span className="min-w-0 flex-1 basis-48 text-muted-foreground">{e.summary}</span>
                      {e.scope ? <Badge tone="accent">{e.scope}</Badge> : <Badge>public</Badge>}
                    </li>
                  ))}
              </ul>
            </CardContent>
          </Card>
        ))}
      </div>
    </>
  );
}
