// price.jsx: a price, with the compare-at ("was") price struck through when there is one, and
// stock labels. Screen readers hear "Now €69.00, was €89.00".
import { money } from '../lib/format.js';

export function Price({ price, compareAt, currency, size = 'base' }) {
  const sale = typeof compareAt === 'number' && compareAt > price;
  const big = size === 'lg';
  return (
    <p class={`flex flex-wrap items-baseline gap-x-2 ${big ? 'text-2xl' : 'text-base'}`}>
      <span class={`font-semibold ${sale ? 'text-rose-700' : 'text-stone-900'}`}>
        {sale && <span class="sr-only">Now </span>}
        {money(price, currency)}
      </span>
      {sale && (
        <s class={`${big ? 'text-lg' : 'text-sm'} text-stone-600`}>
          <span class="sr-only">was </span>
          {money(compareAt, currency)}
        </s>
      )}
    </p>
  );
}

/** "-22%" for a product on sale, else nothing. */
export function saleLabel(price, compareAt) {
  if (typeof compareAt !== 'number' || compareAt <= price) return null;
  return `-${Math.round((1 - price / compareAt) * 100)}%`;
}

/** In stock / Only 3 left / Sold out. */
export function StockLabel({ inStock, onlyLeft }) {
  if (!inStock) {
    return <span class="inline-flex items-center gap-1.5 text-sm font-medium text-stone-600"><Dot class="bg-stone-400" />Sold out</span>;
  }
  if (onlyLeft) {
    return <span class="inline-flex items-center gap-1.5 text-sm font-medium text-amber-800"><Dot class="bg-amber-500" />Only {onlyLeft} left</span>;
  }
  return <span class="inline-flex items-center gap-1.5 text-sm font-medium text-emerald-800"><Dot class="bg-emerald-600" />In stock</span>;
}

const Dot = ({ class: cls }) => <span class={`size-2 rounded-full ${cls}`} aria-hidden="true" />;
