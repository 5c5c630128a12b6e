// Run-length encoding. Implement both functions as the task statement describes.

export function encode(text: string): string {
  throw new Error("not implemented");
}

export function decode(data: string): string {
  throw new Error("not implemented");
}
