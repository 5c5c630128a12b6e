const { test } = require("node:test");
const assert = require("node:assert/strict");

const { slugify, MAX_LENGTH } = require("../app/slug.js");

test("lower case, words joined by dashes", () => {
  assert.equal(slugify("Hello, World!"), "hello-world");
});

test("runs of separators collapse", () => {
  assert.equal(slugify("a   b -- c"), "a-b-c");
});

test("long titles are cut", () => {
  assert.equal(slugify("x".repeat(100)).length, MAX_LENGTH);
});

test("a title with nothing to keep", () => {
  assert.throws(() => slugify("!!!"), { name: "TypeError", message: "title has no letters or digits" });
});

test("null title", () => {
  assert.throws(() => slugify(null), TypeError);
});
