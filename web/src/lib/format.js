// format.js: money and small text helpers. Amounts are integers in the currency's minor unit.
const formatters = new Map();

function formatter(currency) {
  let f = formatters.get(currency);
  if (!f) {
    f = new Intl.NumberFormat('en', { style: 'currency', currency });
    formatters.set(currency, f);
  }
  return f;
}

/** Digits after the decimal point in `currency` (2 for EUR, 0 for JPY). */
export const fractionDigits = (currency) => formatter(currency).resolvedOptions().maximumFractionDigits;

/** "€29.00" for (2900, 'EUR'); with whole: "€29" when there are no cents. */
export function money(minor, currency, { whole = false } = {}) {
  if (typeof minor !== 'number' || !currency) return '';
  const v = minor / 10 ** fractionDigits(currency);
  if (whole && Number.isInteger(v)) {
    return new Intl.NumberFormat('en', { style: 'currency', currency, maximumFractionDigits: 0 }).format(v);
  }
  return formatter(currency).format(v);
}

/** Minor units from what a person typed ("12.5" -> 1250), or null when it is not an amount. */
export function toMinor(text, currency) {
  const s = String(text ?? '').trim().replace(',', '.');
  if (!/^\d{1,9}(\.\d*)?$/.test(s)) return null;
  return Math.round(parseFloat(s) * 10 ** fractionDigits(currency));
}

/** Whole-or-decimal major units for a URL or an input ("12.5" for 1250 EUR, "12" for 1200). */
export function fromMinor(minor, currency) {
  const d = fractionDigits(currency);
  const v = minor / 10 ** d;
  return Number.isInteger(v) ? String(v) : v.toFixed(d);
}

/** "1 item" / "3 items". */
export const plural = (n, one, many = one + 's') => `${n} ${n === 1 ? one : many}`;
