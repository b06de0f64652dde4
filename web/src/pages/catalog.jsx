// catalog.jsx: search and browse. Everything the visitor chooses (words, category, price
// range, in stock, sort, page) is in the URL: /products?q=mug&category=kitchen&min=10&max=50
// &in_stock=1&sort=price&page=2, so back/forward, reload and shared links give the same page.
import { useEffect, useState } from 'preact/hooks';
import { Link, navigate, useLocation, withQuery } from '../lib/router.jsx';
import { useStore } from '../lib/store.js';
import { categoriesStore, findCategory, listProducts, loadCategories } from '../lib/catalog.js';
import { clipBytes, fromMinor, money, toMinor } from '../lib/format.js';
import { useShop } from '../lib/shop.js';
import { useAsync } from '../lib/use_async.js';
import { useTitle } from '../lib/title.js';
import { ProductGrid } from '../components/product_card.jsx';
import { EmptyState, ErrorState, GridSkeleton } from '../components/states.jsx';
import { Pagination } from '../components/pagination.jsx';
import { Icon } from '../components/icons.jsx';

export const PAGE_SIZE = 24;

/** The last page the API serves (offsets beyond the shop's list_offset_max are refused). */
const lastPage = (shop) => Math.floor(shop.limits.list_offset_max / PAGE_SIZE) + 1;

const SORTS = [
  ['', 'Newest'],
  ['price', 'Price: low to high'],
  ['-price', 'Price: high to low'],
  ['name', 'Name: A to Z'],
];

/** The catalog state read from the URL; anything malformed or too long is dropped, never sent on. */
export function readFilters(query, shop) {
  const { currency } = shop;
  const text = (k) => (query.get(k) || '').trim();
  const page = parseInt(text('page'), 10);
  const min = toMinor(text('min'), currency);
  const max = toMinor(text('max'), currency);
  const sort = text('sort');
  return {
    q: clipBytes(text('q'), shop.limits.search_q_max),
    category: /^[a-z0-9]+(-[a-z0-9]+)*$/.test(text('category')) ? text('category') : '',
    min,
    max,
    inStock: text('in_stock') === '1' || text('in_stock') === 'true',
    sort: SORTS.some(([v]) => v === sort) ? sort : '',
    page: Number.isFinite(page) && page >= 1 ? Math.min(page, lastPage(shop)) : 1,
  };
}

/** The URL of a catalog state (page 1 is left out). */
export function filtersUrl(f, currency) {
  return withQuery('/products', {
    q: f.q,
    category: f.category,
    min: f.min === null ? '' : fromMinor(f.min, currency),
    max: f.max === null ? '' : fromMinor(f.max, currency),
    in_stock: f.inStock ? 1 : '',
    sort: f.sort,
    page: f.page > 1 ? f.page : '',
  });
}

function CategoryList({ tree, filters, currency }) {
  const link = (slug, label, sub = false) => {
    const current = filters.category === slug;
    return (
      <li key={slug || 'all'}>
        <Link
          href={filtersUrl({ ...filters, category: slug, page: 1 }, currency)}
          aria-current={current ? 'page' : undefined}
          class={`flex rounded-md px-2.5 py-1.5 text-sm ${sub ? 'ml-3' : ''} ${current ? 'bg-emerald-50 font-semibold text-emerald-900' : 'text-stone-700 hover:bg-stone-100 hover:text-stone-900'}`}
        >
          {label}
        </Link>
      </li>
    );
  };
  return (
    <ul class="space-y-0.5">
      {link('', 'All products')}
      {tree.flatMap((c) => [link(c.slug, c.name), ...(c.children || []).map((k) => link(k.slug, k.name, true))])}
    </ul>
  );
}

function PriceForm({ filters, currency, apiErrors }) {
  const [min, setMin] = useState('');
  const [max, setMax] = useState('');
  const [error, setError] = useState(null);
  useEffect(() => {
    setMin(filters.min === null ? '' : fromMinor(filters.min, currency));
    setMax(filters.max === null ? '' : fromMinor(filters.max, currency));
    setError(null);
  }, [filters.min, filters.max, currency]);
  const submit = (e) => {
    e.preventDefault();
    const lo = min.trim() === '' ? null : toMinor(min, currency);
    const hi = max.trim() === '' ? null : toMinor(max, currency);
    if ((min.trim() !== '' && lo === null) || (max.trim() !== '' && hi === null)) {
      setError('Enter prices as numbers, like 20 or 19.90.');
      return;
    }
    if (lo !== null && hi !== null && lo > hi) {
      setError('The lowest price must not be above the highest.');
      return;
    }
    setError(null);
    navigate(filtersUrl({ ...filters, min: lo, max: hi, page: 1 }, currency));
  };
  const shown = error || apiErrors?.min_price || apiErrors?.max_price;
  const symbol = money(0, currency).replace(/[\d.,\s]/g, '') || currency;
  const box = (id, label, value, set) => (
    <div class="flex-1">
      <label for={id} class="mb-1 block text-xs font-medium text-stone-700">{label}</label>
      <div class="relative">
        <span class="pointer-events-none absolute inset-y-0 left-3 flex items-center text-sm text-stone-600" aria-hidden="true">{symbol}</span>
        <input
          id={id}
          inputMode="decimal"
          value={value}
          onInput={(e) => set(e.currentTarget.value)}
          class={`input py-2 pl-7 text-sm ${shown ? 'input-invalid' : ''}`}
          aria-invalid={shown ? 'true' : undefined}
          aria-describedby={shown ? 'price-error' : undefined}
          maxLength={12}
          autoComplete="off"
        />
      </div>
    </div>
  );
  return (
    <form onSubmit={submit} aria-labelledby="price-heading">
      <h3 id="price-heading" class="text-sm font-semibold text-stone-900">Price</h3>
      <div class="mt-2 flex items-end gap-2">
        {box('price-min', 'Min', min, setMin)}
        <span class="pb-2.5 text-stone-500" aria-hidden="true">–</span>
        {box('price-max', 'Max', max, setMax)}
      </div>
      {shown && <p id="price-error" class="mt-1.5 text-sm font-medium text-rose-700">{shown}</p>}
      <button type="submit" class="btn-secondary mt-3 w-full min-h-10 py-2">Apply price</button>
    </form>
  );
}

function Filters({ tree, filters, currency, apiErrors }) {
  const toggleStock = (e) => navigate(filtersUrl({ ...filters, inStock: e.currentTarget.checked, page: 1 }, currency));
  return (
    <div class="space-y-7">
      <nav aria-labelledby="cat-heading">
        <h3 id="cat-heading" class="mb-2 text-sm font-semibold text-stone-900">Category</h3>
        <CategoryList tree={tree} filters={filters} currency={currency} />
      </nav>
      <PriceForm filters={filters} currency={currency} apiErrors={apiErrors} />
      <fieldset>
        <legend class="text-sm font-semibold text-stone-900">Availability</legend>
        <label class="mt-2 flex cursor-pointer items-center gap-2.5 text-sm text-stone-800">
          <input type="checkbox" checked={filters.inStock} onChange={toggleStock} class="size-5 rounded border-stone-400 accent-emerald-800" name="in_stock" />
          In stock only
        </label>
      </fieldset>
    </div>
  );
}

function Chips({ filters, currency, category }) {
  const chips = [];
  const drop = (patch) => filtersUrl({ ...filters, ...patch, page: 1 }, currency);
  if (filters.q) chips.push([`“${filters.q}”`, drop({ q: '' })]);
  if (category) chips.push([category.name, drop({ category: '' })]);
  if (filters.min !== null || filters.max !== null) {
    const lo = filters.min === null ? null : money(filters.min, currency);
    const hi = filters.max === null ? null : money(filters.max, currency);
    chips.push([lo && hi ? `${lo} – ${hi}` : lo ? `From ${lo}` : `Up to ${hi}`, drop({ min: null, max: null })]);
  }
  if (filters.inStock) chips.push(['In stock', drop({ inStock: false })]);
  if (chips.length === 0) return null;
  return (
    <ul class="mt-4 flex flex-wrap items-center gap-2" aria-label="Active filters">
      {chips.map(([label, href]) => (
        <li key={label}>
          <Link href={href} class="inline-flex items-center gap-1.5 rounded-full bg-stone-200/70 py-1 pl-3 pr-2 text-sm text-stone-800 hover:bg-stone-300/70">
            {label}
            <Icon name="close" class="size-3.5" />
            <span class="sr-only">(remove filter)</span>
          </Link>
        </li>
      ))}
      {chips.length > 1 && (
        <li>
          <Link href="/products" class="px-2 text-sm font-medium text-emerald-800 underline-offset-2 hover:underline">
            Clear all
          </Link>
        </li>
      )}
    </ul>
  );
}

export default function Catalog() {
  const { query, search } = useLocation();
  const shop = useShop();
  const { currency } = shop;
  const cats = useStore(categoriesStore);
  const filters = readFilters(query, shop);
  const [showFilters, setShowFilters] = useState(false);
  const key = filtersUrl(filters, currency);

  const result = useAsync(
    (signal) =>
      listProducts(
        {
          q: filters.q,
          category: filters.category,
          min_price: filters.min ?? '',
          max_price: filters.max ?? '',
          in_stock: filters.inStock ? 'true' : '',
          sort: filters.sort,
          limit: PAGE_SIZE,
          offset: (filters.page - 1) * PAGE_SIZE,
        },
        signal,
      ),
    [key],
  );

  const category = findCategory(cats.tree, filters.category);
  const title = filters.q ? `Results for “${filters.q}”` : category ? category.name : 'All products';
  useTitle(filters.q ? `Search: ${filters.q}` : category ? category.name : 'All products');

  const count = result.data?.count;
  const last = count ? Math.min(Math.ceil(count / PAGE_SIZE), lastPage(shop)) : 1;
  const apiErrors = result.error?.status === 422 ? result.error.fields : null;
  const unknownCategory = apiErrors?.category && filters.category;

  const setSort = (e) => navigate(filtersUrl({ ...filters, sort: e.currentTarget.value, page: 1 }, currency));

  let body;
  if (unknownCategory) {
    body = (
      <EmptyState icon="search" title="This category does not exist" action={<Link href={filtersUrl({ ...filters, category: '', page: 1 }, currency)} class="btn-primary">Search all categories</Link>}>
        There is no category called “{filters.category}”. It may have been renamed or removed.
      </EmptyState>
    );
  } else if (result.error && !(apiErrors?.min_price || apiErrors?.max_price)) {
    body = <ErrorState error={result.error} onRetry={result.reload} title="The products could not be loaded" />;
  } else if (result.loading && !result.data) {
    body = <GridSkeleton count={8} />;
  } else if (result.data && result.data.products.length === 0) {
    body = (
      <EmptyState icon="search" title="No products match" action={<Link href="/products" class="btn-primary">Clear all filters</Link>}>
        {!filters.q
          ? 'Try another category, a wider price range, or include sold-out products.'
          : filters.category || filters.min !== null || filters.max !== null || filters.inStock
            ? <>Nothing matches “{filters.q}” with these filters. Try fewer words or fewer filters.</>
            : <>Nothing matches “{filters.q}”. Try other or fewer words, or browse the categories.</>}
      </EmptyState>
    );
  } else if (result.data) {
    body = (
      <div class={result.loading ? 'opacity-60 transition-opacity' : ''}>
        <ProductGrid products={result.data.products} label="Products" />
        <Pagination page={filters.page} last={last} hrefFor={(p) => filtersUrl({ ...filters, page: p }, currency)} />
      </div>
    );
  }

  return (
    <div>
      <nav aria-label="Breadcrumb" class="text-sm text-stone-600">
        <ol class="flex flex-wrap items-center gap-1">
          <li><Link href="/" class="hover:text-stone-900">Home</Link></li>
          <li aria-hidden="true"><Icon name="chevronRight" class="size-3.5" /></li>
          {category ? (
            <>
              <li><Link href="/products" class="hover:text-stone-900">Products</Link></li>
              {category.parent && (
                <>
                  <li aria-hidden="true"><Icon name="chevronRight" class="size-3.5" /></li>
                  <li><Link href={filtersUrl({ ...filters, category: category.parent.slug, page: 1 }, currency)} class="hover:text-stone-900">{category.parent.name}</Link></li>
                </>
              )}
              <li aria-hidden="true"><Icon name="chevronRight" class="size-3.5" /></li>
              <li aria-current="page" class="font-medium text-stone-900">{category.name}</li>
            </>
          ) : (
            <li aria-current="page" class="font-medium text-stone-900">Products</li>
          )}
        </ol>
      </nav>

      <div class="mt-4 flex flex-wrap items-end justify-between gap-4">
        <div>
          <h1 class="text-3xl font-bold tracking-tight">{title}</h1>
          {category?.description && !filters.q && <p class="mt-1 max-w-2xl text-stone-600">{category.description}</p>}
        </div>
      </div>
      <Chips filters={filters} currency={currency} category={category} />

      <div class="mt-6 flex flex-wrap items-center justify-between gap-3 border-b border-stone-200 pb-4">
        <p class="text-sm text-stone-700" role="status" data-testid="result-count">
          {typeof count === 'number' ? (count === 1 ? '1 product' : `${count} products`) : '\u00a0'}
        </p>
        <div class="flex w-full items-center gap-2 sm:w-auto">
          <button
            type="button"
            class="btn-secondary min-h-10 flex-1 px-4 py-2 sm:flex-none lg:hidden"
            aria-expanded={showFilters ? 'true' : 'false'}
            aria-controls="filters"
            onClick={() => setShowFilters((v) => !v)}
          >
            <Icon name="filter" class="size-4" /> Filters
          </button>
          <label for="sort" class="sr-only sm:not-sr-only sm:text-sm sm:text-stone-700">Sort by</label>
          <select id="sort" value={filters.sort} onChange={setSort} class="input min-w-0 flex-1 py-2 pr-8 text-sm sm:w-auto sm:flex-none">
            {SORTS.map(([v, label]) => (
              <option key={v} value={v}>{v === '' && filters.q ? 'Best match' : label}</option>
            ))}
          </select>
        </div>
      </div>

      <div class="mt-6 lg:grid lg:grid-cols-[15rem_1fr] lg:gap-10">
        <aside id="filters" aria-label="Filters" class={`${showFilters ? 'block' : 'hidden'} mb-8 rounded-2xl border border-stone-200 bg-white p-5 lg:mb-0 lg:block lg:self-start lg:border-0 lg:bg-transparent lg:p-0`}>
          {cats.status === 'error' ? (
            <p class="text-sm text-rose-700">Categories could not be loaded. <button type="button" class="underline" onClick={() => loadCategories().catch(() => {})}>Retry</button></p>
          ) : (
            <Filters tree={cats.tree} filters={filters} currency={currency} apiErrors={apiErrors} />
          )}
          <button type="button" class="btn-primary mt-6 w-full lg:hidden" onClick={() => setShowFilters(false)}>
            {typeof count === 'number' ? `Show ${count === 1 ? '1 product' : `${count} products`}` : 'Close filters'}
          </button>
        </aside>
        <section aria-label="Results" aria-busy={result.loading ? 'true' : 'false'} data-testid="results" data-for={result.loading ? undefined : search}>{body}</section>
      </div>
    </div>
  );
}
