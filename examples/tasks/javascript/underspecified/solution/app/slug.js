// Slugs: "Hello, World!" -> "hello-world".

const MAX_LENGTH = 64;

function slugify(title) {
  if (typeof title !== "string") {
    throw new TypeError("title must be a string");
  }
  const words = title.toLowerCase().match(/[a-z0-9]+/g);
  if (!words) {
    throw new TypeError("title has no letters or digits");
  }
  return words.join("-").slice(0, MAX_LENGTH);
}

module.exports = { slugify, MAX_LENGTH };
