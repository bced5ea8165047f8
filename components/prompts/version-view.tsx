"use client";

import { Play } from "lucide-react";
import Link from "next/link";
import { formatDateTime } from "@/components/format";
import type { PromptDetailData } from "@/components/prompts/types";
import { Badge, buttonStyles, Dialog } from "@/components/ui";
import { ScrollBox } from "@/components/ui/scroll-box";

type Version = PromptDetailData["versions"][number];

/** One version's template and config, read-only: versions are immutable, so this is how old ones are read. */
export function VersionView({
  prompt,
  version,
  onClose,
  playgroundHref,
}: {
  prompt: PromptDetailData;
  version: Version | null;
  onClose: () => void;
  playgroundHref: (v: Version) => string;
}) {
  return (
    <Dialog
      open={version !== null}
      onOpenChange={(open) => !open && onClose()}
      title={version ? `${prompt.name} v${version.version}` : ""}
      description={
        version
          ? `${version.commitMessage || "No commit message"} · ${version.authorLabel}, ${formatDateTime(version.createdAt)}`
          : undefined
      }
      className="max-w-3xl"
    >
      {version && (
        <div className="flex flex-col gap-3 text-sm">
          <div className="flex flex-wrap items-center gap-1">
            {version.labels.map((l) => (
              <Badge key={l} tone={l === "production" ? "success" : "accent"}>
                {l}
              </Badge>
            ))}
            <span className="text-muted-foreground text-xs">
              Variables: <code className="font-mono">{version.variables.join(", ") || "none"}</code>
            </span>
          </div>
          <section aria-label="Template (read-only)" className="flex flex-col gap-2">
            {typeof version.template === "string" ? (
              <pre className="max-h-96 overflow-auto whitespace-pre-wrap rounded-md border border-border bg-muted/40 p-2 font-mono text-xs">
                {version.template}
              </pre>
            ) : (
              version.template.map((m, i) => (
                // biome-ignore lint/suspicious/noArrayIndexKey: messages are positional
                <div key={i} className="flex flex-col gap-1 rounded-md border border-border p-2">
                  <Badge className="self-start">{m.role}</Badge>
                  <pre className="whitespace-pre-wrap font-mono text-xs">{m.content}</pre>
                </div>
              ))
            )}
          </section>
          <section aria-label="Config" className="flex flex-col gap-1">
            <h3 className="font-medium text-sm">Config</h3>
            <ScrollBox label="Config (scrolls sideways)" className="rounded-md bg-muted p-2 font-mono text-xs">
              <pre className="m-0">{JSON.stringify(version.config, null, 2)}</pre>
            </ScrollBox>
          </section>
          <Link
            href={playgroundHref(version)}
            className={buttonStyles({ variant: "secondary", className: "self-start" })}
          >
            <Play className="size-4" aria-hidden /> Open v{version.version} in playground
          </Link>
        </div>
      )}
    </Dialog>
  );
}
