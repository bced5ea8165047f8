/** The streamed tool-calling request run.ts sends: a weather agent's system and user message and its two tools. */
export const TOOL_MESSAGES = [
  { role: "system", content: "You are a weather assistant. Use the tools." },
  { role: "user", content: "What's the weather in Paris, in Celsius?" },
];
export const TOOLS = [
  {
    type: "function",
    function: {
      name: "get_weather",
      description: "Current weather for a city",
      parameters: {
        type: "object",
        properties: { city: { type: "string" }, unit: { type: "string", enum: ["c", "f"] } },
        required: ["city"],
        additionalProperties: false,
      },
      strict: true,
    },
  },
  {
    type: "function",
    function: {
      name: "get_forecast",
      description: "Forecast for the next days",
      parameters: {
        type: "object",
        properties: { city: { type: "string" }, days: { type: "integer", minimum: 1, maximum: 7 } },
        required: ["city", "days"],
      },
    },
  },
];
