import { describe, expect, it } from "vitest";
import { LightAbort } from "./abort";

describe("LightAbort", () => {
  it("fires each listener once, in order, with AbortController's default reason", () => {
    const abort = new LightAbort();
    const calls: string[] = [];
    abort.signal.addEventListener("abort", () => calls.push("a"));
    abort.signal.addEventListener("abort", () => calls.push("b"));
    expect(abort.signal.aborted).toBe(false);
    abort.abort();
    abort.abort(new Error("again"));
    expect(calls).toEqual(["a", "b"]);
    expect(abort.signal.aborted).toBe(true);
    const reason = abort.signal.reason as DOMException;
    expect(reason).toBeInstanceOf(DOMException);
    expect(reason.name).toBe("AbortError");
  });

  it("keeps the reason it was given, and skips removed listeners", () => {
    const abort = new LightAbort();
    const calls: string[] = [];
    const removed = () => calls.push("removed");
    abort.signal.addEventListener("abort", removed);
    abort.signal.addEventListener("abort", () => calls.push("kept"));
    abort.signal.removeEventListener("abort", removed);
    abort.signal.removeEventListener("abort", () => {}); // unknown: no effect
    const reason = new Error("timed out");
    abort.abort(reason);
    expect(calls).toEqual(["kept"]);
    expect(abort.signal.reason).toBe(reason);
  });

  it("never calls a listener added after the abort (like AbortSignal, whose event has fired)", () => {
    const abort = new LightAbort();
    abort.abort();
    let called = false;
    abort.signal.addEventListener("abort", () => {
      called = true;
    });
    expect(called).toBe(false);
  });
});
