// Conversions between what people type and what the API takes.

// "1,234.5" (baht) → 123450 satang; null when it is not an amount. No floating point: money is
// exact.
export function bahtToSatang(text: string): number | null {
  const s = text.replace(/[,\s฿]/g, "");
  const m = /^(\d{1,10})(?:\.(\d{1,2}))?$/.exec(s);
  if (!m) return null;
  return Number(m[1]) * 100 + Number((m[2] ?? "").padEnd(2, "0"));
}

// A <input type="datetime-local"> value, read as Bangkok time → RFC 3339 with its offset.
export function bangkokLocalToIso(local: string): string {
  if (!local) return "";
  return (local.length === 16 ? local + ":00" : local) + "+07:00";
}

// Now, as a datetime-local value in Bangkok time.
export function nowBangkokLocal(): string {
  const d = new Date(Date.now() + 7 * 3600000);
  return d.toISOString().slice(0, 16);
}
