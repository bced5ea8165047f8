// OpenAI's own Batch API on an upstream (files up, batch created, polled, results down), for batches forwarded
// rather than run line by line through the gateway. Calls go through the same address policy as every upstream
// call (loopback, private and metadata addresses refused unless allowed).
import { Agent, FormData, fetch } from "undici";
import { upstreamAllowList } from "./config";
import { errorFromNetwork, errorFromStatus } from "./errors";
import { guardedConnector } from "./transport";

const agent = new Agent({ connections: 8, connect: guardedConnector(upstreamAllowList) });

export interface UpstreamBatch {
  id: string;
  status: string;
  output_file_id?: string | null;
  error_file_id?: string | null;
  request_counts?: { total: number; completed: number; failed: number } | null;
  errors?: unknown;
}

export class OpenAIBatchClient {
  private readonly host: string;

  constructor(
    private readonly baseUrl: string,
    private readonly apiKey: string | undefined,
  ) {
    this.host = new URL(baseUrl).host;
  }

  private async call(path: string, init: { method: string; body?: string | FormData; json?: boolean }) {
    const headers: Record<string, string> = {};
    if (this.apiKey) headers.authorization = `Bearer ${this.apiKey}`;
    if (init.json) headers["content-type"] = "application/json";
    let response: Awaited<ReturnType<typeof fetch>>;
    try {
      response = await fetch(`${this.baseUrl.replace(/\/+$/, "")}${path}`, {
        method: init.method,
        headers,
        body: init.body,
        dispatcher: agent,
        signal: AbortSignal.timeout(120_000),
      });
    } catch (error) {
      throw errorFromNetwork(error, this.host, "connect");
    }
    const text = await response.text();
    if (!response.ok) throw errorFromStatus(response.status, response.headers as never, text, this.host, this.apiKey);
    return text;
  }

  async uploadBatchFile(filename: string, content: string): Promise<{ id: string }> {
    const form = new FormData();
    form.set("purpose", "batch");
    form.set("file", new Blob([content], { type: "application/jsonl" }), filename);
    return JSON.parse(await this.call("/files", { method: "POST", body: form }));
  }

  async createBatch(input: {
    input_file_id: string;
    endpoint: string;
    completion_window: string;
  }): Promise<UpstreamBatch> {
    return JSON.parse(await this.call("/batches", { method: "POST", body: JSON.stringify(input), json: true }));
  }

  async retrieveBatch(id: string): Promise<UpstreamBatch> {
    return JSON.parse(await this.call(`/batches/${encodeURIComponent(id)}`, { method: "GET" }));
  }

  async cancelBatch(id: string): Promise<UpstreamBatch> {
    return JSON.parse(await this.call(`/batches/${encodeURIComponent(id)}/cancel`, { method: "POST" }));
  }

  fileText(id: string): Promise<string> {
    return this.call(`/files/${encodeURIComponent(id)}/content`, { method: "GET" });
  }
}
