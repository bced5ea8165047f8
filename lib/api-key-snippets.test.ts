import { describe, expect, it } from "vitest";
import { gatewaySnippet, snippetModel } from "@/lib/api-key-snippets";

const input = { baseUrl: "https://sy.example.com/v1", key: "sy_abc", model: "support@production" };

describe("gateway snippets", () => {
  it("fills the base URL, the key and the model into each language", () => {
    const python = gatewaySnippet("python", input);
    expect(python).toContain('OpenAI(base_url="https://sy.example.com/v1", api_key="sy_abc")');
    expect(python).toContain('model="support@production"');
    const js = gatewaySnippet("javascript", input);
    expect(js).toContain('new OpenAI({ baseURL: "https://sy.example.com/v1", apiKey: "sy_abc" })');
    const curl = gatewaySnippet("curl", input);
    expect(curl).toContain("curl 'https://sy.example.com/v1/chat/completions'");
    expect(curl).toContain("-H 'Authorization: Bearer sy_abc'");
    expect(curl).toContain(`-d '{"model":"support@production","messages":[{"role":"user","content":"Hello"}]}'`);
  });

  it("quotes a model name with a quote in it for the shell", () => {
    expect(gatewaySnippet("curl", { ...input, model: "it's" })).toContain(`"model":"it'"'"'s"`);
  });

  it("names a chat model's production alias, else the first chat model, else nothing", () => {
    const embed = { name: "embedder", task: "embedding", aliases: [{ name: "production" }] };
    expect(
      snippetModel([
        embed,
        { name: "a", task: "chat", aliases: [] },
        { name: "b", task: "chat", aliases: [{ name: "production" }] },
      ]),
    ).toBe("b@production");
    expect(snippetModel([embed, { name: "a", task: "chat", aliases: [] }])).toBe("a");
    expect(snippetModel([embed])).toBeNull();
  });
});
