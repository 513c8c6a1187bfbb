/**
 * Exact addition of decimal strings (BigInt on a common scale): totals of a breakdown without a
 * second pass over the data, and never a float.
 */
export function addDecimals(values: string[]): string {
  let scale = 0;
  for (const v of values) {
    const dot = v.indexOf('.');
    if (dot >= 0) scale = Math.max(scale, v.length - dot - 1);
  }
  let sum = 0n;
  for (const v of values) {
    const negative = v.startsWith('-');
    const [int = '0', frac = ''] = v.replace(/^[-+]/, '').split('.');
    const units = BigInt(int + frac.padEnd(scale, '0'));
    sum += negative ? -units : units;
  }
  const negative = sum < 0n;
  const digits = (negative ? -sum : sum).toString().padStart(scale + 1, '0');
  const out = scale === 0 ? digits : `${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
  return negative ? `-${out}` : out;
}
