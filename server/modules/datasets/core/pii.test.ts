import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { findPii, isValidIban, looksRandom, luhnValid } from "@/server/modules/guardrails/pii-detect";
import { maskExample, maskExamples, PiiMasker } from "./pii";
import { chat, toArray } from "./test-helpers";
import type { PiiKind } from "./types";

/** What findPii masks in a text, as [kind, matched text]. */
const found = (text: string): [PiiKind, string][] => findPii(text).map((s) => [s.kind, text.slice(s.start, s.end)]);

describe("PII detection: positives", () => {
  it.each<[string, string, PiiKind, string]>([
    ["e-mail", "Write to John.Doe+tag@Example.co.uk today.", "EMAIL", "John.Doe+tag@Example.co.uk"],
    ["international phone", "Call +44 20 7946 0958 now", "PHONE", "+44 20 7946 0958"],
    ["international phone, parentheses", "Call +1 (555) 123-4567.", "PHONE", "+1 (555) 123-4567"],
    ["NANP phone", "or 555-123-4567 after 5", "PHONE", "555-123-4567"],
    ["NANP phone, parentheses", "or (555) 123-4567", "PHONE", "(555) 123-4567"],
    ["NANP phone, dots", "or 555.123.4567", "PHONE", "555.123.4567"],
    ["UK national phone", "ring 020 7946 0958", "PHONE", "020 7946 0958"],
    ["UK mobile", "mobile 07700 900123", "PHONE", "07700 900123"],
    ["French phone", "tél. 01 23 45 67 89", "PHONE", "01 23 45 67 89"],
    ["German phone, area code in parentheses", "Tel. (030) 1234567", "PHONE", "(030) 1234567"],
    ["Visa, spaced", "card 4111 1111 1111 1111 exp 12/25", "CARD", "4111 1111 1111 1111"],
    ["Visa, dashed", "card 4111-1111-1111-1111.", "CARD", "4111-1111-1111-1111"],
    ["Visa, contiguous", "card 4111111111111111", "CARD", "4111111111111111"],
    ["Amex 4-6-5", "amex 3782 822463 10005", "CARD", "3782 822463 10005"],
    ["card inside a longer digit sequence", "ref 12 4111 1111 1111 1111", "CARD", "4111 1111 1111 1111"],
    ["IBAN, grouped", "IBAN GB82 WEST 1234 5698 7654 32 please", "IBAN", "GB82 WEST 1234 5698 7654 32"],
    ["IBAN, contiguous", "to DE89370400440532013000.", "IBAN", "DE89370400440532013000"],
    ["IBAN followed by a capitalised group", "GB82 WEST 1234 5698 7654 32 ABCD", "IBAN", "GB82 WEST 1234 5698 7654 32"],
    ["IPv4", "server 192.168.1.10 is down", "IP", "192.168.1.10"],
    ["IPv4 at the end of a sentence", "ping 10.0.0.1.", "IP", "10.0.0.1"],
    ["IPv6", "host 2001:db8::1 up", "IP", "2001:db8::1"],
    ["IPv6 with a zone", "via fe80::1%eth0", "IP", "fe80::1%eth0"],
    ["IPv6 loopback", "bind ::1", "IP", "::1"],
    ["IPv4-mapped IPv6", "from ::ffff:192.0.2.128 ok", "IP", "::ffff:192.0.2.128"],
    ["US SSN", "SSN 123-45-6789.", "SSN", "123-45-6789"],
    ["UK National Insurance number", "NI AB123456C", "NATIONAL_ID", "AB123456C"],
    ["passport after the phrase", "passport number X1234567;", "NATIONAL_ID", "X1234567"],
    ["DNI after the acronym", "DNI 12345678Z", "NATIONAL_ID", "12345678Z"],
    ["SIN in digit groups", "SIN: 046 454 286", "NATIONAL_ID", "046 454 286"],
    [
      "OpenAI project key",
      "key sk-proj-abcdefghijklmnopqrstuvwxyz123456 here",
      "SECRET",
      "sk-proj-abcdefghijklmnopqrstuvwxyz123456",
    ],
    ["Switchyard key", "sy_abcdefghijklmnopqrstuvwxyzABCDEF", "SECRET", "sy_abcdefghijklmnopqrstuvwxyzABCDEF"],
    ["AWS access key id", "AKIAIOSFODNN7EXAMPLE", "SECRET", "AKIAIOSFODNN7EXAMPLE"],
    ["GitHub token", "ghp_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789", "SECRET", "ghp_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789"],
    [
      "bearer token (the token only)",
      "Authorization: Bearer abcdef0123456789ABCDEF.xyz",
      "SECRET",
      "abcdef0123456789ABCDEF.xyz",
    ],
    ["password value", 'password: "hunter2"', "SECRET", "hunter2"],
    [
      "AWS secret key (high entropy)",
      "aws_secret wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
      "SECRET",
      "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    ],
    [
      "JWT",
      "t=eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
      "SECRET",
      "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
    ],
  ])("%s", (_, text, kind, match) => {
    expect(found(text)).toEqual([[kind, match]]);
  });

  it("finds most random keys of unknown formats (≥ 99 % of 32-character base64url)", () => {
    let hits = 0;
    for (let i = 0; i < 2000; i++) if (looksRandom(randomBytes(24).toString("base64url"))) hits++;
    expect(hits / 2000).toBeGreaterThan(0.99);
  });
});

describe("PII detection: negatives", () => {
  it.each([
    ["dates are not phone numbers", "on 2024-01-15, 15/01/2024, 01.02.2024, 01.02.2024 12:30 or 2024.01.15"],
    ["plain numbers are not phone numbers", "ids 1234567890 and 0123456789, pi 3.14159, $1,299.99, 12345678"],
    ["ISBNs, times and version numbers", "ISBN 978-3-16-148410-0 at 10:30:00, build 10.0.19045"],
    ["an order number failing Luhn is not a card", "order 4111 1111 1111 1112"],
    ["a Luhn-valid number not starting 2–6 is not a card", "ref 1234 5678 9012 3452"],
    ["a long digit run is not a card", "tracking 12345678901234567890"],
    ["an IBAN with a wrong checksum", "GB82 WEST 1234 5698 7654 33"],
    ["version strings after 'version' or with v", "version 1.2.3.4, v1.2.3.4, ver. 2.0.0.1"],
    ["dotted sequences that are not addresses", "1.2.3.4.5 and 256.1.1.1 and 999.999.999.999"],
    ["C++ scopes, times and MAC addresses", "std::vector, a::b, dead::beef, 12:30:45, 00:1A:2B:3C:4D:5E"],
    ["invalid SSNs", "000-12-3456, 666-12-3456, 900-12-3456, 123-00-4567"],
    ["identity words without a number", "Passport holders must renew; the ID card office; sin(x) = 0.5"],
    ["hosts and mentions that are not e-mail addresses", "user@localhost, @mention, foo@bar"],
    ["prose around secrets", "use sk-learn; the bearer of this letter; password: required; token limit: 16385"],
    [
      "hex digests, UUIDs, identifiers and paths",
      "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08 550e8400-e29b-41d4-a716-446655440000 " +
        "ThisIsAVeryLongCamelCaseIdentifier2024Version HTTPRequestHandlerV2ForAPIGatewayService " +
        "src/components/datasets/DatasetImportDialogWithPreview2.tsx https://example.com/api/v1/datasets/ds_123/export",
    ],
  ])("%s", (_, text) => {
    expect(found(text)).toEqual([]);
  });

  it("checks Luhn and IBAN checksums", () => {
    expect(luhnValid("4111111111111111")).toBe(true);
    expect(luhnValid("4111111111111112")).toBe(false);
    expect(isValidIban("GB82 WEST 1234 5698 7654 32")).toBe(true);
    expect(isValidIban("GB82 WEST 1234 5698 7654 33")).toBe(false);
    expect(isValidIban("FR1420041010050500013M02606")).toBe(true);
  });
});

describe("masking", () => {
  const example = {
    messages: [
      { role: "system" as const, content: "Support bot. Escalate to ops@acme.com." },
      { role: "user" as const, content: "I'm jane@x.org, card 4111 1111 1111 1111. CC ops@acme.com" },
      {
        role: "assistant" as const,
        content: "Thanks Jane (JANE@X.ORG), I'll call +1 555 123 4567.",
        weight: 1 as const,
      },
    ],
    metadata: { ticket: "T-1" },
  };

  it("numbers placeholders per kind in order of first appearance; the same value keeps its placeholder", () => {
    const { example: masked, counts } = maskExample(example);
    expect(masked.messages.map((m) => m.content)).toEqual([
      "Support bot. Escalate to <EMAIL_1>.",
      "I'm <EMAIL_2>, card <CARD_1>. CC <EMAIL_1>",
      "Thanks Jane (<EMAIL_2>), I'll call <PHONE_1>.",
    ]);
    expect(counts).toEqual({ EMAIL: 4, CARD: 1, PHONE: 1 });
    // Everything else is kept; the input is not modified.
    expect(masked.messages[2].weight).toBe(1);
    expect(masked.metadata).toEqual({ ticket: "T-1" });
    expect(example.messages[0].content).toBe("Support bot. Escalate to ops@acme.com.");
  });

  it("restarts numbering in every example", () => {
    const masker = new PiiMasker();
    const a = masker.mask(chat(["user", "a@x.org b@x.org"], ["assistant", "ok"]));
    const b = masker.mask(chat(["user", "b@x.org"], ["assistant", "ok"]));
    expect(a.messages[0].content).toBe("<EMAIL_1> <EMAIL_2>");
    expect(b.messages[0].content).toBe("<EMAIL_1>");
  });

  it("masks only the chosen kinds and roles", () => {
    const masked = maskExample(example, { kinds: ["EMAIL"], roles: ["user"] }).example;
    expect(masked.messages.map((m) => m.content)).toEqual([
      "Support bot. Escalate to ops@acme.com.",
      "I'm <EMAIL_1>, card 4111 1111 1111 1111. CC <EMAIL_2>",
      "Thanks Jane (JANE@X.ORG), I'll call +1 555 123 4567.",
    ]);
  });

  it("returns the same object when there is nothing to mask", () => {
    const clean = chat(["user", "What is 2+2?"], ["assistant", "4"]);
    expect(maskExample(clean).example).toBe(clean);
  });

  it("reports occurrences and affected examples by kind", async () => {
    const masker = new PiiMasker();
    const source = [
      example,
      chat(["user", "nothing here"], ["assistant", "ok"]),
      chat(["user", "ip 10.1.2.3"], ["assistant", "ok"]),
    ];
    const masked = await toArray(maskExamples(source, masker));
    expect(masked).toHaveLength(3);
    expect(masker.report()).toEqual({
      examples: 3,
      examplesAffected: 2,
      occurrences: { SECRET: 0, EMAIL: 4, IBAN: 0, CARD: 1, SSN: 0, NATIONAL_ID: 0, IP: 1, PHONE: 1 },
      examplesByKind: { SECRET: 0, EMAIL: 1, IBAN: 0, CARD: 1, SSN: 0, NATIONAL_ID: 0, IP: 1, PHONE: 1 },
    });
  });

  it("lets the earlier kind win an overlap (a key=value secret holding an e-mail stays a secret)", () => {
    expect(found("password=alice@example.com")).toEqual([["SECRET", "alice@example.com"]]);
  });
});
