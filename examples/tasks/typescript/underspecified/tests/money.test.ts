import { test } from "node:test";
import assert from "node:assert/strict";

import { formatCents, parseAmount } from "../app/money";

test("euros and cents", () => {
  assert.equal(parseAmount("12.50"), 1250);
  assert.equal(parseAmount("0.5"), 50);
  assert.equal(parseAmount("0.05"), 5);
});

test("whole euros", () => {
  assert.equal(parseAmount("3"), 300);
});

test("a refund", () => {
  assert.equal(parseAmount("-1.25"), -125);
});

test("not an amount", () => {
  assert.throws(() => parseAmount("twelve"), { name: "RangeError", message: "not an amount: twelve" });
  assert.throws(() => parseAmount(" 3"), RangeError);
});

test("receipt format", () => {
  assert.equal(formatCents(1250), "12.50 EUR");
  assert.equal(formatCents(5), "0.05 EUR");
  assert.equal(formatCents(300), "3.00 EUR");
  assert.equal(formatCents(0), "0.00 EUR");
  assert.equal(formatCents(-125), "-1.25 EUR");
});
