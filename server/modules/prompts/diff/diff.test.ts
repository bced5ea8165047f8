import { describe, expect, it } from "vitest";
import { diffConfig, diffPromptVersions, diffText } from "./index";

describe("diffText", () => {
  it("gives numbered hunks with context", () => {
    const before =
      "You are a helpful assistant.\nAnswer briefly.\nUse {{ lang }}.\nCite sources.\nNo emojis.\nSign as {{ bot }}.";
    const after =
      "You are a helpful assistant.\nAnswer in detail.\nUse {{ lang }}.\nCite sources.\nNo emojis.\nSign as {{ bot }}.\nBe kind.";
    expect(diffText(before, after, 1)).toEqual({
      additions: 2,
      deletions: 1,
      hunks: [
        {
          header: "@@ -1,3 +1,3 @@",
          oldStart: 1,
          oldLines: 3,
          newStart: 1,
          newLines: 3,
          lines: [
            { type: "context", text: "You are a helpful assistant.", oldLine: 1, newLine: 1 },
            { type: "remove", text: "Answer briefly.", oldLine: 2 },
            { type: "add", text: "Answer in detail.", newLine: 2 },
            { type: "context", text: "Use {{ lang }}.", oldLine: 3, newLine: 3 },
          ],
        },
        {
          header: "@@ -6 +6,2 @@",
          oldStart: 6,
          oldLines: 1,
          newStart: 6,
          newLines: 2,
          lines: [
            { type: "context", text: "Sign as {{ bot }}.", oldLine: 6, newLine: 6 },
            { type: "add", text: "Be kind.", newLine: 7 },
          ],
        },
      ],
    });
  });

  it("does not count a missing final newline as a change", () => {
    expect(diffText("a\nb", "a\nb\n")).toEqual({ hunks: [], additions: 0, deletions: 0 });
  });

  it("numbers a whole added text against an empty side", () => {
    expect(diffText("", "x\ny").hunks).toEqual([
      {
        header: "@@ -0,0 +1,2 @@",
        oldStart: 0,
        oldLines: 0,
        newStart: 1,
        newLines: 2,
        lines: [
          { type: "add", text: "x", newLine: 1 },
          { type: "add", text: "y", newLine: 2 },
        ],
      },
    ]);
  });
});

describe("diffConfig", () => {
  it("reports added, removed and changed keys deeply, with old and new values", () => {
    const before = {
      model: "gpt-small@production",
      params: { temperature: 0.2, maxTokens: 256, stop: ["\n\n"] },
      responseSchema: { type: "object", properties: { answer: { type: "string" } }, required: ["answer"] },
    };
    const after = {
      model: "gpt-small@staging",
      params: { temperature: 0.2, maxTokens: 512, topP: 0.9 },
      responseSchema: {
        type: "object",
        properties: { answer: { type: "string" }, confidence: { type: "number" } },
        required: ["answer", "confidence"],
      },
    };
    expect(diffConfig(before, after)).toEqual([
      {
        path: ["model"],
        key: "model",
        change: "changed",
        oldValue: "gpt-small@production",
        newValue: "gpt-small@staging",
      },
      { path: ["params", "maxTokens"], key: "params.maxTokens", change: "changed", oldValue: 256, newValue: 512 },
      { path: ["params", "stop"], key: "params.stop", change: "removed", oldValue: ["\n\n"] },
      { path: ["params", "topP"], key: "params.topP", change: "added", newValue: 0.9 },
      {
        path: ["responseSchema", "properties", "confidence"],
        key: "responseSchema.properties.confidence",
        change: "added",
        newValue: { type: "number" },
      },
      {
        path: ["responseSchema", "required"],
        key: "responseSchema.required",
        change: "changed",
        oldValue: ["answer"],
        newValue: ["answer", "confidence"],
      },
    ]);
  });

  it("ignores key order and treats a missing config as empty", () => {
    expect(diffConfig({ params: { a: 1, b: 2 } }, { params: { b: 2, a: 1 } })).toEqual([]);
    expect(diffConfig(undefined, { model: "m" })).toEqual([
      { path: ["model"], key: "model", change: "added", newValue: "m" },
    ]);
    expect(diffConfig({ "odd.key": 1 }, { "odd.key": 2 })[0].key).toBe('["odd.key"]');
  });
});

describe("diffPromptVersions", () => {
  it("diffs text templates and config into JSON and a unified diff", () => {
    const result = diffPromptVersions(
      {
        type: "text",
        template: "Hello {{ name }}.\nBe brief.",
        config: { model: "m@1", params: { temperature: 0.5 } },
        label: "v1",
      },
      {
        type: "text",
        template: "Hello {{ name }}!\nBe brief.",
        config: { model: "m@1", params: { temperature: 0.7 } },
        label: "v2",
      },
    );
    expect(result.identical).toBe(false);
    expect(result.stats).toEqual({
      additions: 1,
      deletions: 1,
      messagesAdded: 0,
      messagesRemoved: 0,
      messagesChanged: 0,
      configChanges: 1,
    });
    expect(result.config).toEqual([
      { path: ["params", "temperature"], key: "params.temperature", change: "changed", oldValue: 0.5, newValue: 0.7 },
    ]);
    expect(result.unified).toBe(
      [
        "--- a/template\tv1",
        "+++ b/template\tv2",
        "@@ -1,2 +1,2 @@",
        "-Hello {{ name }}.",
        "+Hello {{ name }}!",
        " Be brief.",
        "--- a/config.json\tv1",
        "+++ b/config.json\tv2",
        "@@ -1,6 +1,6 @@",
        " {",
        '   "model": "m@1",',
        '   "params": {',
        '-    "temperature": 0.5',
        '+    "temperature": 0.7',
        "   }",
        " }",
        "",
      ].join("\n"),
    );
    expect(JSON.parse(JSON.stringify(result))).toEqual(result);
  });

  it("diffs chat templates per message: changed, added, removed, role changes", () => {
    const result = diffPromptVersions(
      {
        type: "chat",
        template: [
          { role: "system", content: "You are terse." },
          { role: "user", content: "Q: {{ q }}" },
          { role: "assistant", content: "Sure." },
        ],
      },
      {
        type: "chat",
        template: [
          { role: "system", content: "You are terse." },
          { role: "user", content: "Question: {{ q }}" },
          { role: "user", content: "Sure." },
          { role: "user", content: "Cite sources." },
        ],
      },
    );
    expect(result.template.kind).toBe("chat");
    const messages = result.template.kind === "chat" ? result.template.messages : [];
    expect(messages.map((m) => [m.status, m.oldIndex, m.newIndex, m.oldRole, m.newRole, m.roleChanged])).toEqual([
      ["unchanged", 0, 0, "system", "system", false],
      ["changed", 1, 1, "user", "user", false],
      ["removed", 2, null, "assistant", null, false],
      ["added", null, 2, null, "user", false],
      ["added", null, 3, null, "user", false],
    ]);
    expect(messages[1].content.hunks[0].lines).toEqual([
      { type: "remove", text: "Q: {{ q }}", oldLine: 1 },
      { type: "add", text: "Question: {{ q }}", newLine: 1 },
    ]);
    expect(result.stats).toMatchObject({
      messagesAdded: 2,
      messagesRemoved: 1,
      messagesChanged: 1,
      additions: 3,
      deletions: 2,
    });
    expect(result.unified).toBe(
      [
        "--- a/messages/1 (user)",
        "+++ b/messages/1 (user)",
        "@@ -1 +1 @@",
        "-Q: {{ q }}",
        "+Question: {{ q }}",
        "--- a/messages/2 (assistant)",
        "+++ /dev/null",
        "@@ -1 +0,0 @@",
        "-Sure.",
        "--- /dev/null",
        "+++ b/messages/2 (user)",
        "@@ -0,0 +1 @@",
        "+Sure.",
        "--- /dev/null",
        "+++ b/messages/3 (user)",
        "@@ -0,0 +1 @@",
        "+Cite sources.",
        "",
      ].join("\n"),
    );
  });

  it("pairs one-for-one replacements as changes, showing a role change", () => {
    const result = diffPromptVersions(
      { type: "chat", template: [{ role: "user", content: "Hi" }] },
      { type: "chat", template: [{ role: "assistant", content: "Hi" }] },
    );
    const [message] = result.template.kind === "chat" ? result.template.messages : [];
    expect(message).toMatchObject({ status: "changed", oldRole: "user", newRole: "assistant", roleChanged: true });
    expect(message.content.hunks).toEqual([]);
    expect(result.unified).toBe("--- a/messages/0 (user)\n+++ b/messages/0 (assistant)\n");
  });

  it("says identical when nothing changed", () => {
    const version = {
      type: "chat" as const,
      template: [{ role: "user" as const, content: "x" }],
      config: { model: "m" },
    };
    const result = diffPromptVersions(version, { ...version, config: { model: "m" } });
    expect(result.identical).toBe(true);
    expect(result.unified).toBe("");
  });

  it("handles a prompt that changed type", () => {
    const result = diffPromptVersions(
      { type: "text", template: "Hello {{ name }}" },
      { type: "chat", template: [{ role: "user", content: "Hello {{ name }}" }] },
    );
    expect(result.template).toMatchObject({
      kind: "type-changed",
      fromType: "text",
      toType: "chat",
      additions: 1,
      deletions: 0,
    });
    expect(result.identical).toBe(false);
  });
});
