import { describe, expect, test } from "@jest/globals";

import { decode, encode } from "../app/rle";

describe("encode", () => {
  test("mixed runs", () => {
    expect(encode("aaabcc")).toBe("3a1b2c");
  });

  test("single characters", () => {
    expect(encode("abc")).toBe("1a1b1c");
  });

  test("empty string", () => {
    expect(encode("")).toBe("");
  });

  test("long run uses several digits", () => {
    expect(encode("x".repeat(12))).toBe("12x");
    expect(encode("y".repeat(100) + "z")).toBe("100y1z");
  });

  test("runs are maximal", () => {
    expect(encode("aaaa")).toBe("4a");
  });

  test("rejects digits", () => {
    expect(() => encode("ab3")).toThrow(RangeError);
  });
});

describe("decode", () => {
  test("examples", () => {
    expect(decode("3a1b2c")).toBe("aaabcc");
    expect(decode("")).toBe("");
  });

  test("multi-digit count", () => {
    expect(decode("12x")).toBe("x".repeat(12));
  });

  for (const data of ["a", "3", "3a2", "0a", "a3"]) {
    test(`rejects malformed ${JSON.stringify(data)}`, () => {
      expect(() => decode(data)).toThrow(RangeError);
    });
  }
});

describe("round trip", () => {
  for (const text of ["a", "zzzzzzzzzzzz", "ab ba", "  ", "\u00e9\u00e9e", "mississippi"]) {
    test(`round-trips ${JSON.stringify(text)}`, () => {
      expect(decode(encode(text))).toBe(text);
    });
  }
});
