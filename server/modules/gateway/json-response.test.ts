import { describe, expect, it } from "vitest";
import { jsonResponse, plainJson, toStandardResponse } from "./json-response";

describe("jsonResponse", () => {
  const make = () => jsonResponse({ hello: "wörld", n: 1 }, { status: 201, headers: { "x-request-id": "r1" } });

  it("is an ordinary Response: status, headers and every way of reading the body", async () => {
    expect(make()).toBeInstanceOf(Response);
    const response = make();
    expect(response.status).toBe(201);
    expect(response.headers.get("content-type")).toBe("application/json");
    expect(response.headers.get("x-request-id")).toBe("r1");
    expect(await response.json()).toEqual({ hello: "wörld", n: 1 });
    expect(await make().text()).toBe('{"hello":"wörld","n":1}');
    expect(new TextDecoder().decode(await make().arrayBuffer())).toBe('{"hello":"wörld","n":1}');
    expect(await (await make().blob()).text()).toBe('{"hello":"wörld","n":1}');
    expect(await new Response(make().body).json()).toEqual({ hello: "wörld", n: 1 });
  });

  it("can be read once, like any Response, and cloned before that", async () => {
    const response = make();
    const copy = response.clone();
    await response.text();
    expect(response.bodyUsed).toBe(true);
    await expect(response.text()).rejects.toThrow(TypeError);
    expect(() => response.clone()).toThrow(TypeError);
    expect(await copy.json()).toEqual({ hello: "wörld", n: 1 });
  });

  it("hands the adapter its text unless the body was taken", async () => {
    const response = make();
    expect(plainJson(response)).toEqual({
      status: 201,
      headers: { "x-request-id": "r1", "content-type": "application/json" },
      text: '{"hello":"wörld","n":1}',
    });
    const streamed = make();
    await streamed.body?.getReader().read();
    expect(plainJson(streamed)).toBeUndefined();
    expect(plainJson(Response.json({}))).toBeUndefined();
  });

  it("keeps a change made through its Headers object (status and ok come from the record)", async () => {
    const response = make();
    expect(response.ok).toBe(true);
    response.headers.set("x-extra", "1");
    expect(plainJson(response)?.headers).toEqual({
      "x-request-id": "r1",
      "content-type": "application/json",
      "x-extra": "1",
    });
    expect(response.clone().headers.get("x-extra")).toBe("1");
    const refused = jsonResponse({ error: "no" }, { status: 404 });
    expect([refused.status, refused.ok]).toEqual([404, false]);
  });

  it("becomes a plain platform Response for the Next mount", async () => {
    const standard = toStandardResponse(make());
    expect(plainJson(standard)).toBeUndefined();
    expect(standard.status).toBe(201);
    expect(standard.headers.get("x-request-id")).toBe("r1");
    expect(await standard.json()).toEqual({ hello: "wörld", n: 1 });
  });
});
