import { Template } from "@huggingface/jinja";
import { Tokenizer } from "@huggingface/tokenizers";
import { DomainError } from "@/server/errors";
import type { ChatMessage, ChatTool } from "./types";

type TokenizerConfig = Record<string, unknown>;

/** A special token in tokenizer_config.json is a string or an AddedToken object `{ content }`. */
function tokenText(value: unknown): string | null {
  if (typeof value === "string") return value;
  if (value && typeof value === "object" && typeof (value as { content?: unknown }).content === "string") {
    return (value as { content: string }).content;
  }
  return null;
}

/**
 * The tokenizer (`tokenizer.json` via @huggingface/tokenizers) and the chat
 * template (`chat_template`, Jinja via @huggingface/jinja) of one model.
 */
export class ModelTokenizer {
  private readonly tokenizer: Tokenizer;
  private readonly template: Template | null;

  constructor(
    /** As read from tokenizer.json (constrained decoding reads each token's bytes from it). */
    readonly tokenizerJson: object,
    private readonly config: TokenizerConfig,
    readonly chatTemplate: string | null,
  ) {
    try {
      this.tokenizer = new Tokenizer(tokenizerJson, { clean_up_tokenization_spaces: false, ...config });
    } catch (error) {
      throw new DomainError("UNPROCESSABLE", `tokenizer.json could not be loaded: ${(error as Error).message}`);
    }
    try {
      this.template = chatTemplate ? new Template(chatTemplate) : null;
    } catch (error) {
      throw new DomainError("UNPROCESSABLE", `chat_template is not valid Jinja: ${(error as Error).message}`);
    }
  }

  /** Token ids of raw text; `addSpecialTokens` lets the tokenizer's post-processor add BOS and the like. */
  encode(text: string, addSpecialTokens = true): number[] {
    return this.tokenizer.encode(text, { add_special_tokens: addSpecialTokens }).ids;
  }

  decode(ids: number[], skipSpecialTokens = true): string {
    return this.tokenizer.decode(ids, { skip_special_tokens: skipSpecialTokens, clean_up_tokenization_spaces: false });
  }

  tokenId(token: string): number | undefined {
    return this.tokenizer.token_to_id(token);
  }

  specialToken(name: "bos_token" | "eos_token"): string | null {
    return tokenText(this.config[name]);
  }

  /**
   * The chat template rendered with `add_generation_prompt`, as Hugging Face's `apply_chat_template`: `tools` as
   * `{type: "function", function: {name, description, parameters}}`, assistant tool calls' arguments as objects
   * (templates write them with `tojson`).
   */
  formatChat(messages: ChatMessage[], tools?: ChatTool[]): string {
    if (!this.template)
      throw new DomainError("VALIDATION", "this model has no chat template: send a raw prompt instead");
    if (tools?.length && !/\btools\b/.test(this.chatTemplate ?? ""))
      throw new DomainError("VALIDATION", "tools: this model's chat template does not take tools", [
        { path: "tools", message: "The model's chat template has no tool calling" },
      ]);
    try {
      return this.template.render({
        messages: messages.map(forTemplate),
        ...(tools?.length ? { tools: tools.map((t) => ({ type: "function", function: t })) } : {}),
        add_generation_prompt: true,
        bos_token: this.specialToken("bos_token") ?? "",
        eos_token: this.specialToken("eos_token") ?? "",
      });
    } catch (error) {
      // Templates refuse bad conversations with raise_exception(...), which @huggingface/jinja throws as an Error.
      throw new DomainError("VALIDATION", `chat template failed: ${(error as Error).message}`);
    }
  }

  /** Prompt token ids: chat messages through the template (no extra special tokens, as HF does), or raw text. */
  encodePrompt(input: { prompt: string } | { messages: ChatMessage[]; tools?: ChatTool[] }): number[] {
    if ("messages" in input) return this.encode(this.formatChat(input.messages, input.tools), false);
    return this.encode(input.prompt, true);
  }
}

/** A message as templates expect it: tool calls' arguments parsed (they arrive as JSON text, OpenAI's way). */
function forTemplate(message: ChatMessage): Record<string, unknown> {
  if (!message.tool_calls?.length) return message as unknown as Record<string, unknown>;
  return {
    ...message,
    tool_calls: message.tool_calls.map((call) => ({
      ...call,
      function: { name: call.function.name, arguments: parseArguments(call.function.arguments) },
    })),
  };
}

function parseArguments(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** tokenizer_config.json's chat_template: a string, or a list of named templates (the "default" one wins). */
export function pickChatTemplate(config: TokenizerConfig): string | null {
  const value = config.chat_template;
  if (typeof value === "string") return value;
  if (Array.isArray(value)) {
    const named = value as { name?: string; template?: string }[];
    return (named.find((t) => t.name === "default") ?? named[0])?.template ?? null;
  }
  return null;
}
