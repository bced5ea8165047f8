import { describe, expect, it } from "vitest";
import { inputItemsPage, listQuery } from "./list";

const items = ["a", "b", "c", "d"].map((id) => ({ id, type: "message" }));

describe("inputItemsPage", () => {
  it("lists newest first by default and pages with after", () => {
    const first = inputItemsPage(items, listQuery(new URLSearchParams("limit=3")));
    expect(first).toEqual({
      object: "list",
      data: items.slice(1).reverse(),
      first_id: "d",
      last_id: "b",
      has_more: true,
    });
    const next = inputItemsPage(items, listQuery(new URLSearchParams("limit=3&after=b")));
    expect(next).toMatchObject({ data: [items[0]], has_more: false });
  });

  it("lists oldest first with order=asc and refuses a bad limit", () => {
    expect(inputItemsPage(items, listQuery(new URLSearchParams("order=asc"))).data).toEqual(items);
    expect(() => listQuery(new URLSearchParams("limit=0"))).toThrow(/limit/);
  });
});
