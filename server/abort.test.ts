import { describe, expect, it } from "vitest";
import { follow, LightAbort } from "./abort";

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

describe("follow", () => {
  it("passes the abort and its reason on, until unlinked", () => {
    const source = new LightAbort();
    const target = new AbortController();
    follow(source.signal, target);
    const reason = new Error("client left");
    source.abort(reason);
    expect(target.signal.aborted).toBe(true);
    expect(target.signal.reason).toBe(reason);

    const later = new AbortController();
    const other = new LightAbort();
    const unlink = follow(later.signal, other);
    unlink();
    later.abort();
    expect(other.aborted).toBe(false);
  });

  it("aborts the target at once when the signal already fired", () => {
    const source = new AbortController();
    source.abort("gone");
    const target = new LightAbort();
    follow(source.signal, target);
    expect(target.reason).toBe("gone");
  });
});
