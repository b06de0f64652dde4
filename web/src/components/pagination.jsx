// pagination.jsx: page links (real hrefs, so they can be opened in a tab or shared).
import { Link } from '../lib/router.jsx';
import { Icon } from './icons.jsx';

/** The pages to show around `page`: 1 … 4 5 [6] 7 8 … 20 */
function pagesAround(page, last) {
  const set = new Set([1, last, page - 1, page, page + 1]);
  const list = [...set].filter((p) => p >= 1 && p <= last).sort((a, b) => a - b);
  const out = [];
  for (let i = 0; i < list.length; i++) {
    if (i > 0 && list[i] - list[i - 1] > 1) out.push(null);
    out.push(list[i]);
  }
  return out;
}

/** hrefFor(page) builds the link of a page. */
export function Pagination({ page, last, hrefFor }) {
  if (last <= 1) return null;
  const base = 'flex h-11 min-w-11 items-center justify-center rounded-full px-3 text-sm font-medium';
  return (
    <nav aria-label="Pages" class="mt-12 flex items-center justify-center gap-1">
      {page > 1 ? (
        <Link href={hrefFor(page - 1)} class={`${base} text-stone-800 hover:bg-stone-100`} rel="prev">
          <Icon name="chevronLeft" class="size-4" /> <span class="hidden sm:inline">Previous</span>
          <span class="sr-only sm:hidden">Previous page</span>
        </Link>
      ) : null}
      <ul class="flex items-center gap-1">
        {pagesAround(page, last).map((p, i) =>
          p === null ? (
            <li key={`gap${i}`} class="px-1 text-stone-500" aria-hidden="true">…</li>
          ) : (
            <li key={p}>
              <Link
                href={hrefFor(p)}
                aria-current={p === page ? 'page' : undefined}
                class={`${base} ${p === page ? 'bg-emerald-800 text-white' : 'text-stone-800 hover:bg-stone-100'}`}
              >
                <span class="sr-only">Page </span>
                {p}
              </Link>
            </li>
          ),
        )}
      </ul>
      {page < last ? (
        <Link href={hrefFor(page + 1)} class={`${base} text-stone-800 hover:bg-stone-100`} rel="next">
          <span class="hidden sm:inline">Next</span>
          <span class="sr-only sm:hidden">Next page</span> <Icon name="chevronRight" class="size-4" />
        </Link>
      ) : null}
    </nav>
  );
}
