// Money amounts. Implement the module as the task statement describes.

export function parseAmount(text: string): number {
  throw new Error("not implemented");
}
