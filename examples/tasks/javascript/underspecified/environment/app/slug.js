// Slugs. Implement slugify as the task statement describes.

function slugify(title) {
  throw new Error("not implemented");
}

module.exports = { slugify };
