/** A page of a list, as every table in the console and REST's list endpoints take it. */
export interface PageInput {
  page: number;
  pageSize: number;
}

/**
 * Fetches page `input.page` (rows through `fetch`, given the skip/take window) and the total (`count`) at once,
 * and returns `{ items, total, page, pageSize }` with each row mapped.
 */
export async function paged<Row, Item>(
  input: PageInput,
  fetch: (window: { skip: number; take: number }) => Promise<Row[]>,
  count: () => Promise<number>,
  map: (row: Row) => Item,
): Promise<{ items: Item[]; total: number; page: number; pageSize: number }> {
  const [rows, total] = await Promise.all([
    fetch({ skip: (input.page - 1) * input.pageSize, take: input.pageSize }),
    count(),
  ]);
  return { items: rows.map(map), total, page: input.page, pageSize: input.pageSize };
}
