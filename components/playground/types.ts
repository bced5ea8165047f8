import type { RunStats as StreamStats } from "@/lib/run-stream";

export interface Params {
  temperature: string;
  maxTokens: string;
  topP: string;
  topK: string;
  repetitionPenalty: string;
  seed: string;
  stop: string;
}

export interface Column {
  model: string;
  params: Params;
  text: string;
  status: "idle" | "running" | "done" | "error" | "stopped";
  stats?: StreamStats;
  error?: string;
}

export interface Message {
  role: "system" | "user" | "assistant";
  content: string;
}

/** Blank: the model version's default parameters apply. */
const EMPTY_PARAMS: Params = {
  temperature: "",
  maxTokens: "",
  topP: "",
  topK: "",
  repetitionPenalty: "",
  seed: "",
  stop: "",
};

export const newColumn = (model = ""): Column => ({ model, params: { ...EMPTY_PARAMS }, text: "", status: "idle" });

/** Form strings → the API's parameters; blank fields are left to the version's defaults. */
export function toApiParams(p: Params) {
  const num = (v: string) => (v.trim() === "" ? undefined : Number(v));
  return Object.fromEntries(
    Object.entries({
      temperature: num(p.temperature),
      maxTokens: num(p.maxTokens),
      topP: num(p.topP),
      topK: num(p.topK),
      repetitionPenalty: num(p.repetitionPenalty),
      seed: num(p.seed),
      stop: p.stop.trim()
        ? p.stop
            .split("|")
            .map((s) => s.replaceAll("\\n", "\n"))
            .filter(Boolean)
        : undefined,
    }).filter(([, v]) => v !== undefined),
  );
}

export function fromApiParams(params: Record<string, unknown>): Params {
  const s = (v: unknown) => (v === undefined || v === null ? "" : String(v));
  return {
    temperature: s(params.temperature),
    maxTokens: s(params.maxTokens),
    topP: s(params.topP),
    topK: s(params.topK),
    repetitionPenalty: s(params.repetitionPenalty),
    seed: s(params.seed),
    stop: Array.isArray(params.stop) ? params.stop.map((x) => String(x).replaceAll("\n", "\\n")).join("|") : "",
  };
}
