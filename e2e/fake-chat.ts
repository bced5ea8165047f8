import { expect, type Page } from "@playwright/test";
import { type FakeUpstream, sendJson, sse, startFakeUpstream } from "../server/modules/providers/testing/fake-upstream";

/** An OpenAI-compatible upstream on loopback that answers every chat completion "Hi there!", streamed or not. */
export function startFakeChat(): Promise<FakeUpstream> {
  const usage = { prompt_tokens: 5, completion_tokens: 3, total_tokens: 8 };
  return startFakeUpstream((req, res) => {
    const body = req.body as { stream?: boolean; model?: string };
    const base = { id: "chatcmpl-e2e", created: 1_700_000_000, model: body.model ?? "m" };
    if (!body.stream) {
      sendJson(res, 200, {
        ...base,
        object: "chat.completion",
        choices: [{ index: 0, message: { role: "assistant", content: "Hi there!" }, finish_reason: "stop" }],
        usage,
      });
      return;
    }
    const chunk = (delta: object, finish: string | null, extra: object = {}) => ({
      data: {
        ...base,
        object: "chat.completion.chunk",
        choices: [{ index: 0, delta, finish_reason: finish }],
        ...extra,
      },
    });
    res.writeHead(200, { "content-type": "text/event-stream" });
    res.end(
      sse([
        chunk({ role: "assistant", content: "Hi" }, null),
        chunk({ content: " there!" }, null),
        chunk({}, "stop"),
        { data: { ...base, object: "chat.completion.chunk", choices: [], usage } },
        { data: "[DONE]" },
      ]),
    );
  });
}

/** Registers `name` in the project as an OpenAI-compatible model served by `origin`, with a price, over REST. */
export async function registerFakeModel(page: Page, projectId: string, name: string, origin: string) {
  const headers = { "x-switchyard-project": projectId };
  const model = await page.request.post("/api/rest/models", {
    headers,
    data: { name, provider: "openai-compatible", task: "chat" },
  });
  expect(model.status(), await model.text()).toBe(200);
  const { id } = await model.json();
  const version = await page.request.post(`/api/rest/models/${id}/versions`, {
    headers,
    data: { endpointBaseUrl: `${origin}/v1`, upstreamModelId: "m" },
  });
  expect(version.status(), await version.text()).toBe(200);
}
