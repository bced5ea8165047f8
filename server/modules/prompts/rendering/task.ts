/**
 * What the main thread sends a render worker and what comes back: plain data (structured clone), since a
 * DomainError does not survive the trip as a class.
 */
import type { ErrorCode, FieldIssue } from "@/server/errors";
import type { ResolvedIncludes } from "@/server/modules/prompts/template";
import type { ChatMessageTemplate } from "@/server/modules/prompts/template/schemas";

type TemplateInput = string | ChatMessageTemplate[];

interface TaskBase {
  template: TemplateInput;
  includes: ResolvedIncludes;
  rootKey?: string;
  /** Set by the pool from the process's limits. */
  limits?: { maxOutputChars: number; maxMillis: number };
}

/** `render`: strict render; `preview`: variables plus a render whose template problems are reported, not thrown; `analyze`: the save path's checks. */
export type RenderTask =
  | (TaskBase & { kind: "render" | "preview"; variables: Record<string, unknown> })
  | (TaskBase & { kind: "analyze" });

export interface DetectedVariableOut {
  name: string;
  kind: "list" | "object" | "scalar";
  required: boolean;
}

type RenderedOut =
  | { type: "text"; text: string }
  | { type: "chat"; messages: { role: "system" | "user" | "assistant"; content: string }[] };

export interface ProblemOut {
  code: ErrorCode;
  message: string;
  issues: FieldIssue[];
}

export type TaskValue =
  | { kind: "render"; rendered: RenderedOut }
  | { kind: "preview"; variables: DetectedVariableOut[]; rendered: RenderedOut | null; problem: ProblemOut | null }
  | { kind: "analyze"; variables: DetectedVariableOut[] };

export type TaskResult = { ok: true; value: TaskValue } | { ok: false; error: ProblemOut };
