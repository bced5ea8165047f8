/** `GET /v1/responses/{id}/input_items`: a cursor page of a stored response's input items, as OpenAI pages lists. */
import { invalid, type Json } from "./fields";

export interface ListQuery {
  after: string | null;
  limit: number;
  order: "asc" | "desc";
}

/** Reads `after`, `limit` (1–100, default 20) and `order` (`desc` by default, newest first). */
export function listQuery(params: URLSearchParams): ListQuery {
  const rawLimit = params.get("limit");
  const limit = rawLimit === null ? 20 : Number(rawLimit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 100) throw invalid("limit", "must be an integer from 1 to 100");
  const order = params.get("order") ?? "desc";
  if (order !== "asc" && order !== "desc") throw invalid("order", "must be asc or desc");
  return { after: params.get("after"), limit, order };
}

export function inputItemsPage(items: Json[], query: ListQuery) {
  const ordered = query.order === "asc" ? items : [...items].reverse();
  let start = 0;
  if (query.after !== null) {
    const at = ordered.findIndex((item) => item.id === query.after);
    if (at < 0) throw invalid("after", `no input item '${query.after}' in this response`);
    start = at + 1;
  }
  const data = ordered.slice(start, start + query.limit);
  return {
    object: "list" as const,
    data,
    first_id: (data[0]?.id as string | undefined) ?? null,
    last_id: (data.at(-1)?.id as string | undefined) ?? null,
    has_more: start + data.length < ordered.length,
  };
}
