import { DEFAULT_CONTEXT, diffText, formatUnified, type TextDiff } from "@/lib/text-diff";
import type { ChatMessageTemplate } from "../template/schemas";
import { diffMessages, type MessageDiff } from "./chat";
import { type ConfigChange, canonicalJson, diffConfig } from "./config";

export type { TextDiff } from "@/lib/text-diff";
export { diffText } from "@/lib/text-diff";

export { diffConfig } from "./config";

/** One side of a comparison: what a prompt version holds. */
export interface PromptVersionSnapshot {
  type: "text" | "chat";
  template: string | readonly ChatMessageTemplate[];
  /** `{ model?, params?, responseSchema? }`; anything else is compared the same way. */
  config?: Record<string, unknown> | null;
  /** Shown in the unified diff's headers, e.g. `v3` or `production`. */
  label?: string;
}

type TemplateDiff =
  | ({ kind: "text" } & TextDiff)
  | { kind: "chat"; messages: MessageDiff[]; additions: number; deletions: number }
  /** A text prompt became a chat prompt or back: a line diff of both in a text form. */
  | ({ kind: "type-changed"; fromType: "text" | "chat"; toType: "text" | "chat" } & TextDiff);

export interface PromptDiff {
  identical: boolean;
  template: TemplateDiff;
  config: ConfigChange[];
  stats: {
    additions: number;
    deletions: number;
    messagesAdded: number;
    messagesRemoved: number;
    messagesChanged: number;
    configChanges: number;
  };
  /** The same as a unified diff (template or one section per message, then config.json). */
  unified: string;
}

function asText(snapshot: PromptVersionSnapshot): string {
  if (typeof snapshot.template === "string") return snapshot.template;
  return snapshot.template.map((m) => `[${m.role}]\n${m.content}`).join("\n\n");
}

/**
 * Compares two prompt versions: a line diff of the template (per message for chat prompts: added,
 * removed and changed messages, role changes, content hunks) and a key-level diff of the config.
 * Everything is JSON-serializable for the console; `unified` is the text form for the API.
 */
export function diffPromptVersions(
  before: PromptVersionSnapshot,
  after: PromptVersionSnapshot,
  options: { context?: number } = {},
): PromptDiff {
  const context = options.context ?? DEFAULT_CONTEXT;
  const name = (side: "a" | "b", path: string, snapshot: PromptVersionSnapshot) =>
    `${side}/${path}${snapshot.label ? `\t${snapshot.label}` : ""}`;
  const sections: string[] = [];
  let template: TemplateDiff;

  if (
    before.type === "chat" &&
    after.type === "chat" &&
    typeof before.template !== "string" &&
    typeof after.template !== "string"
  ) {
    const messages = diffMessages(before.template, after.template, context);
    const additions = messages.reduce((n, m) => n + m.content.additions, 0);
    const deletions = messages.reduce((n, m) => n + m.content.deletions, 0);
    template = { kind: "chat", messages, additions, deletions };
    for (const m of messages) {
      if (m.status === "unchanged") continue;
      const oldName = m.oldIndex === null ? "/dev/null" : name("a", `messages/${m.oldIndex} (${m.oldRole})`, before);
      const newName = m.newIndex === null ? "/dev/null" : name("b", `messages/${m.newIndex} (${m.newRole})`, after);
      sections.push(
        formatUnified(oldName, newName, m.content, { headersOnly: m.roleChanged || m.status !== "changed" }),
      );
    }
  } else if (before.type === after.type) {
    template = { kind: "text", ...diffText(asText(before), asText(after), context) };
    sections.push(formatUnified(name("a", "template", before), name("b", "template", after), template));
  } else {
    const diff = diffText(asText(before), asText(after), context);
    template = { kind: "type-changed", fromType: before.type, toType: after.type, ...diff };
    sections.push(
      formatUnified(
        name("a", `template (${before.type})`, before),
        name("b", `template (${after.type})`, after),
        diff,
        { headersOnly: true },
      ),
    );
  }

  const config = diffConfig(before.config ?? {}, after.config ?? {});
  if (config.length) {
    const configText = diffText(canonicalJson(before.config), canonicalJson(after.config), context);
    sections.push(formatUnified(name("a", "config.json", before), name("b", "config.json", after), configText));
  }

  const messages = template.kind === "chat" ? template.messages : [];
  const count = (status: MessageDiff["status"]) => messages.filter((m) => m.status === status).length;
  const stats = {
    additions: template.additions,
    deletions: template.deletions,
    messagesAdded: count("added"),
    messagesRemoved: count("removed"),
    messagesChanged: count("changed"),
    configChanges: config.length,
  };
  const identical =
    template.kind !== "type-changed" &&
    stats.additions + stats.deletions === 0 &&
    !config.length &&
    !messages.some((m) => m.status !== "unchanged");
  return { identical, template, config, stats, unified: sections.join("") };
}
