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

/**
 * The list search the console's search boxes mean: a case-insensitive substring of the name or description, or
 * (for tagged rows) an exact tag. Spread into a Prisma `where`; nothing when the search is empty.
 */
export function textSearch(search: string | undefined, { tags = false } = {}) {
  if (!search) return {};
  const contains = { contains: search, mode: "insensitive" as const };
  return {
    OR: [{ name: contains }, { description: contains }, ...(tags ? [{ tags: { has: search } }] : [])],
  };
}
