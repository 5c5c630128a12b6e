// Money amounts: "12.50" <-> 1250 cents.

const AMOUNT = /^(-?)(\d+)(?:\.(\d{1,2}))?$/;

export function parseAmount(text: string): number {
  const match = AMOUNT.exec(text);
  if (match === null) {
    throw new RangeError(`not an amount: ${text}`);
  }
  const cents = Number(match[2]) * 100 + Number((match[3] ?? "0").padEnd(2, "0"));
  return match[1] === "-" ? -cents : cents;
}

export function formatCents(cents: number): string {
  const sign = cents < 0 ? "-" : "";
  const abs = Math.abs(cents);
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, "0")} EUR`;
}
