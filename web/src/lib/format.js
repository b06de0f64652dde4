// format.js: money and small text helpers. Amounts are integers in the currency's minor unit.
import { currentShop } from './shop.js';

const formatters = new Map();

/**
 * Digits after the decimal point in `currency` (2 for EUR, 0 for JPY): the server's own
 * currency_exponent for the shop's currency (what its minor units are), the browser's idea for
 * any other.
 */
export function fractionDigits(currency) {
  const shop = currentShop();
  if (shop && shop.currency === currency) return shop.currency_exponent;
  return new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits;
}

function formatter(currency) {
  const digits = fractionDigits(currency);
  const key = `${currency}:${digits}`;
  let f = formatters.get(key);
  if (!f) {
    f = new Intl.NumberFormat('en', { style: 'currency', currency, minimumFractionDigits: digits, maximumFractionDigits: digits });
    formatters.set(key, f);
  }
  return f;
}

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

/** The first `max` bytes of `text` as UTF-8, never splitting a character (the API counts bytes). */
export function clipBytes(text, max) {
  const enc = new TextEncoder();
  if (enc.encode(text).length <= max) return text;
  let out = '';
  let used = 0;
  for (const ch of text) {
    const n = enc.encode(ch).length;
    if (used + n > max) break;
    out += ch;
    used += n;
  }
  return out;
}

/** Whole-or-decimal major units for a URL or an input ("12.5" for 1250 EUR, "12" for 1200). */
export function fromMinor(minor, currency) {
  const d = fractionDigits(currency);
  const v = minor / 10 ** d;
  return Number.isInteger(v) ? String(v) : v.toFixed(d);
}

/** "1 item" / "3 items". */
export const plural = (n, one, many = one + 's') => `${n} ${n === 1 ? one : many}`;

/** A lifetime in seconds in the largest whole unit it reaches: "30 days", "12 hours", "5 minutes". */
export function keptFor(seconds) {
  for (const [unit, size] of [['day', 86400], ['hour', 3600], ['minute', 60]]) {
    if (seconds >= size) return plural(Math.floor(seconds / size), unit);
  }
  return plural(seconds, 'second');
}
