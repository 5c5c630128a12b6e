// Run-length encoding: "aaabcc" <-> "3a1b2c".

const TOKEN = /([0-9]+)([^0-9])/y;

export function encode(text: string): string {
  if (/[0-9]/.test(text)) {
    throw new RangeError("text must not contain decimal digits");
  }
  let out = "";
  let i = 0;
  while (i < text.length) {
    let j = i;
    while (j < text.length && text[j] === text[i]) j += 1;
    out += `${j - i}${text[i]}`;
    i = j;
  }
  return out;
}

export function decode(data: string): string {
  let out = "";
  let pos = 0;
  while (pos < data.length) {
    TOKEN.lastIndex = pos;
    const match = TOKEN.exec(data);
    if (match === null) {
      throw new RangeError(`malformed run-length data at offset ${pos}: ${JSON.stringify(data.slice(pos, pos + 10))}`);
    }
    const count = Number.parseInt(match[1], 10);
    if (count === 0) {
      throw new RangeError(`count of 0 at offset ${pos}`);
    }
    out += match[2].repeat(count);
    pos = TOKEN.lastIndex;
  }
  return out;
}
