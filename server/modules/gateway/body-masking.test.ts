import { describe, expect, it } from "vitest";
import { createBodyMasker } from "./body-masking";

describe("the masked body-logging setting", () => {
  it("masks text parts, tool results and tool calls' arguments, numbering values across them", () => {
    const mask = createBodyMasker();
    const body = {
      model: "fake-gpt",
      messages: [
        {
          role: "user",
          content: [
            { type: "text", text: "Mail ana@example.com" },
            { type: "image_url", image_url: { url: "https://example.org/a.png" } },
          ],
        },
        {
          role: "assistant",
          content: null,
          tool_calls: [
            {
              id: "call_1",
              type: "function",
              function: { name: "send", arguments: '{"to":"ana@example.com","card":4111111111111111}' },
            },
          ],
        },
        { role: "tool", tool_call_id: "call_1", content: "sent to bob@example.com" },
      ],
    };
    const masked = mask(body) as typeof body;
    const [user, assistant, tool] = masked.messages;
    expect((user.content as { text?: string }[])[0].text).toBe("Mail <EMAIL_1>");
    const args = (assistant.tool_calls as { function: { arguments: string } }[])[0].function.arguments;
    expect(JSON.parse(args)).toEqual({ to: "<EMAIL_1>", card: "<CARD_1>" });
    expect(tool.content).toBe("sent to <EMAIL_2>");
    expect(JSON.stringify(masked)).not.toMatch(/ana@|bob@|4111/);
  });
});
