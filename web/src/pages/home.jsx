// home.jsx: the shop front: a welcome, the top-level categories (each pictured by one of its
// products), new arrivals and gifts under a price.
import { useStore } from '../lib/store.js';
import { Link, withQuery } from '../lib/router.jsx';
import { categoriesStore, listProducts, loadCategories } from '../lib/catalog.js';
import { useAsync } from '../lib/use_async.js';
import { useTitle } from '../lib/title.js';
import { fromMinor, keptFor, money } from '../lib/format.js';
import { useShop } from '../lib/shop.js';
import { ProductGrid, ProductImage } from '../components/product_card.jsx';
import { ErrorState, GridSkeleton } from '../components/states.jsx';
import { Icon } from '../components/icons.jsx';

function Hero({ products }) {
  const picks = (products || []).filter((p) => p.images?.length).slice(0, 3);
  return (
    <section class="overflow-hidden rounded-3xl bg-emerald-950 text-white">
      <div class="grid items-center gap-8 px-6 py-10 sm:px-10 md:grid-cols-2 md:py-14 lg:px-14">
        <div>
          <p class="text-sm font-semibold uppercase tracking-wider text-amber-200">New season, same good things</p>
          <h1 class="mt-3 text-3xl font-bold leading-tight tracking-tight sm:text-4xl lg:text-5xl">
            Well-made things for everyday living
          </h1>
          <p class="mt-4 max-w-md text-base text-emerald-50/90 sm:text-lg">
            Kitchen tools, home comforts, garden kit and stationery, chosen to be used every day and kept for years.
          </p>
          <div class="mt-7 flex flex-wrap gap-3">
            <Link href="/products" class="btn-primary bg-amber-200 text-emerald-950 hover:bg-amber-100">
              Shop all products <Icon name="chevronRight" class="size-4" />
            </Link>
            <Link href={withQuery('/products', { in_stock: 1, sort: 'price' })} class="btn-ghost text-white hover:bg-white/10 hover:text-white">
              Browse by price
            </Link>
          </div>
        </div>
        <div class="hidden grid-cols-3 gap-3 md:grid" aria-hidden="true">
          {picks.length === 3
            ? picks.map((p, i) => (
                <div key={p.id} class={`overflow-hidden rounded-2xl ring-1 ring-white/10 ${i === 1 ? 'translate-y-6' : ''}`}>
                  <ProductImage product={p} eager />
                </div>
              ))
            : [0, 1, 2].map((i) => <div key={i} class={`aspect-square rounded-2xl bg-white/10 ${i === 1 ? 'translate-y-6' : ''}`} />)}
        </div>
      </div>
    </section>
  );
}

function CategoryTile({ category }) {
  const { data } = useAsync((signal) => listProducts({ category: category.slug, in_stock: true, limit: 1 }, signal), [category.slug]);
  const product = data?.products?.[0];
  const count = data?.count;
  return (
    <li class="group relative w-44 shrink-0 snap-start overflow-hidden rounded-2xl bg-white ring-1 ring-stone-200 sm:w-auto">
      <div class="aspect-[4/3] overflow-hidden bg-stone-100">
        {product && <ProductImage product={product} class="transition duration-300 group-hover:scale-[1.04]" />}
      </div>
      <div class="p-4">
        <h3 class="font-semibold text-stone-900">
          <Link href={withQuery('/products', { category: category.slug })} class="after:absolute after:inset-0">
            {category.name}
          </Link>
        </h3>
        <p class="mt-1 line-clamp-2 text-sm text-stone-600">{category.description}</p>
        {category.children?.length > 0 && (
          <p class="mt-2 text-xs font-medium text-emerald-800">{category.children.map((k) => k.name).join(' · ')}</p>
        )}
        {typeof count === 'number' && <p class="sr-only">{count} products in stock</p>}
      </div>
    </li>
  );
}

function Section({ title, href, linkLabel, children }) {
  return (
    <section class="mt-14">
      <div class="mb-5 flex items-end justify-between gap-4">
        <h2 class="text-xl font-bold tracking-tight sm:text-2xl">{title}</h2>
        {href && (
          <Link href={href} class="flex shrink-0 items-center gap-1 whitespace-nowrap text-sm font-semibold text-emerald-800 hover:text-emerald-950">
            {linkLabel} <Icon name="chevronRight" class="size-4" />
          </Link>
        )}
      </div>
      {children}
    </section>
  );
}

/** "Gifts under 25" in the shop's main unit (€25, $25, ¥25...). */
const GIFT_LIMIT_MAJOR = 25;

export default function Home() {
  useTitle('');
  const cats = useStore(categoriesStore);
  const shop = useShop();
  const { currency } = shop;
  const giftLimit = GIFT_LIMIT_MAJOR * 10 ** shop.currency_exponent;
  const fresh = useAsync((signal) => listProducts({ in_stock: true, limit: 8 }, signal), []);
  const gifts = useAsync((signal) => listProducts({ in_stock: true, max_price: giftLimit, sort: '-price', limit: 4 }, signal), [giftLimit]);
  return (
    <div>
      <Hero products={fresh.data?.products} />

      <Section title="Shop by category" href="/products" linkLabel="All products">
        {cats.status === 'error' ? (
          <ErrorState error={cats.error} onRetry={() => loadCategories().catch(() => {})} />
        ) : cats.status !== 'ready' ? (
          <ul class="flex gap-3 overflow-hidden sm:grid sm:grid-cols-3 sm:gap-4 lg:grid-cols-5" aria-hidden="true">
            {[0, 1, 2, 3, 4].map((i) => <li key={i} class="h-64 w-44 shrink-0 animate-pulse rounded-2xl bg-stone-200 sm:w-auto" />)}
          </ul>
        ) : (
          <ul class="-mx-4 flex snap-x snap-mandatory scroll-px-4 gap-3 overflow-x-auto px-4 pb-2 sm:mx-0 sm:grid sm:grid-cols-3 sm:gap-4 sm:overflow-visible sm:px-0 sm:pb-0 lg:grid-cols-5">
            {cats.tree.map((c) => <CategoryTile key={c.id} category={c} />)}
          </ul>
        )}
      </Section>

      <Section title="New arrivals" href="/products" linkLabel="See all">
        {fresh.error ? (
          <ErrorState error={fresh.error} onRetry={fresh.reload} />
        ) : fresh.loading && !fresh.data ? (
          <GridSkeleton count={8} />
        ) : (
          <ProductGrid products={fresh.data.products} label="New arrivals" />
        )}
      </Section>

      <section class="mt-14 grid gap-4 rounded-3xl bg-amber-50 p-6 ring-1 ring-amber-200/60 sm:grid-cols-3 sm:p-8">
        {[
          ['bag', 'Shop as a guest', `No account needed: your cart is kept for ${keptFor(shop.limits.guest_cart_ttl)}.`],
          ['user', 'Your cart follows you', 'Sign in and what you picked as a guest comes along.'],
          ['shield', 'Secure accounts', 'Passwords hashed with Argon2, sessions you can end.'],
        ].map(([icon, title, text]) => (
          <div key={title} class="flex gap-3">
            <span class="flex size-10 shrink-0 items-center justify-center rounded-full bg-white text-amber-900 ring-1 ring-amber-200">
              <Icon name={icon} />
            </span>
            <div>
              <p class="font-semibold text-stone-900">{title}</p>
              <p class="text-sm text-stone-700">{text}</p>
            </div>
          </div>
        ))}
      </section>

      <Section
        title={`Gifts under ${money(giftLimit, currency, { whole: true })}`}
        href={withQuery('/products', { max: fromMinor(giftLimit, currency), in_stock: 1, sort: '-price' })}
        linkLabel="See all"
      >
        {gifts.error ? (
          <ErrorState error={gifts.error} onRetry={gifts.reload} />
        ) : gifts.loading && !gifts.data ? (
          <GridSkeleton count={4} />
        ) : (
          <ProductGrid products={gifts.data.products} eagerCount={0} label="Gifts" />
        )}
      </Section>
    </div>
  );
}
