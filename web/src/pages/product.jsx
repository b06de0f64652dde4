// product.jsx: one product: gallery, price (and compare-at price), stock, add to cart with a
// quantity, the description as plain text, and more from the same category.
import { useEffect, useState } from 'preact/hooks';
import { Link, withQuery } from '../lib/router.jsx';
import { useStore } from '../lib/store.js';
import { categoriesStore, findCategoryById, getProduct, listProducts } from '../lib/catalog.js';
import { addToCart, cartStore } from '../lib/cart.js';
import { useAsync } from '../lib/use_async.js';
import { useTitle } from '../lib/title.js';
import { Price, StockLabel, saleLabel } from '../components/price.jsx';
import { ProductGrid, ProductImage } from '../components/product_card.jsx';
import { QuantityInput } from '../components/quantity.jsx';
import { EmptyState, ErrorState, Spinner } from '../components/states.jsx';
import { Icon } from '../components/icons.jsx';

function Gallery({ product }) {
  const images = product.images || [];
  const [index, setIndex] = useState(0);
  useEffect(() => setIndex(0), [product.id]);
  const current = images[index] || images[0];
  return (
    <div>
      <div class="overflow-hidden rounded-2xl bg-white ring-1 ring-stone-200">
        <ProductImage product={product} image={current} eager />
      </div>
      {images.length > 1 && (
        <ul class="mt-3 grid grid-cols-5 gap-2" aria-label="Images">
          {images.map((img, i) => (
            <li key={img.id}>
              <button
                type="button"
                onClick={() => setIndex(i)}
                aria-pressed={i === index ? 'true' : 'false'}
                class={`block w-full overflow-hidden rounded-lg ring-2 ${i === index ? 'ring-emerald-700' : 'ring-transparent hover:ring-stone-300'}`}
              >
                <img src={img.url} alt={`${product.name}, image ${i + 1} of ${images.length}`} width={img.width} height={img.height} loading="lazy" decoding="async" class="aspect-square h-auto w-full object-cover" />
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

function inCart(cart, productId) {
  return cart?.items?.find((l) => l.product_id === productId)?.quantity || 0;
}

function AddToCart({ product }) {
  const { cart } = useStore(cartStore);
  const [qty, setQty] = useState(1);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const [added, setAdded] = useState(null);
  useEffect(() => {
    setQty(1);
    setError(null);
    setAdded(null);
  }, [product.id]);
  // Only a few left: no more than that; else the shop's limit (the quantity field applies it).
  const max = product.only_left || undefined;
  const have = inCart(cart, product.id);

  const submit = async (e) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    setAdded(null);
    try {
      await addToCart(product.id, qty);
      setAdded(qty);
      setQty(1);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  if (!product.in_stock) {
    return (
      <div class="mt-8 rounded-xl bg-stone-100 p-4 text-stone-700">
        <p class="font-medium text-stone-900">Sold out</p>
        <p class="mt-1 text-sm">This product is not in stock right now. Have a look at similar things below.</p>
      </div>
    );
  }
  let message = null;
  if (error) {
    if (error.code === 'insufficient_stock' && typeof error.problem.available === 'number') {
      const n = error.problem.available;
      message = n === 0
        ? 'Sorry, this product just sold out.'
        : `Only ${n} available${have ? `, and you already have ${have} in your cart` : ''}.`;
    } else {
      message = error.fields.quantity || error.fields.product_id || error.message;
    }
  }
  return (
    <form onSubmit={submit} class="mt-8" aria-describedby={message ? 'add-error' : undefined}>
      <div class="flex flex-wrap items-center gap-3">
        <QuantityInput id="quantity" value={qty} onChange={setQty} max={max} />
        <button type="submit" class="btn-primary h-12 flex-1 px-8 text-base sm:flex-none" disabled={busy}>
          {busy ? <Spinner label="Adding to cart" class="size-5 text-white" /> : <Icon name="bag" />}
          Add to cart
        </button>
      </div>
      {message && (
        <p id="add-error" role="alert" class="mt-3 flex items-start gap-2 text-sm font-medium text-rose-700">
          <Icon name="alert" class="mt-0.5 size-4 shrink-0" /> {message}
        </p>
      )}
      {added && (
        <div role="status" class="mt-4 flex flex-wrap items-center justify-between gap-3 rounded-xl bg-emerald-50 px-4 py-3 text-sm text-emerald-950 ring-1 ring-emerald-200">
          <span class="flex items-center gap-2 font-medium">
            <Icon name="check" class="size-4" />
            {added === 1 ? 'Added to your cart.' : `${added} added to your cart.`}
          </span>
          <Link href="/cart" class="font-semibold text-emerald-900 underline underline-offset-2 hover:no-underline">View cart</Link>
        </div>
      )}
      {have > 0 && !added && <p class="mt-3 text-sm text-stone-600">You have {have} in your cart.</p>}
    </form>
  );
}

/** "Tax included." when the shop's prices include tax (the cart's totals say so). */
function TaxNote() {
  const { cart } = useStore(cartStore);
  // Exclusive prices may carry no tax at all (a rate of 0): the cart shows any tax there is.
  if (!cart?.totals?.tax_inclusive) return null;
  return <p class="mt-1 text-sm text-stone-600">Tax included.</p>;
}

function Related({ product, category }) {
  const { data } = useAsync(
    (signal) => (category ? listProducts({ category: category.slug, in_stock: true, limit: 5 }, signal) : Promise.resolve(null)),
    [product.id, category?.slug],
  );
  const list = (data?.products || []).filter((p) => p.id !== product.id).slice(0, 4);
  if (!category || list.length === 0) return null;
  return (
    <section class="mt-20" aria-labelledby="related-heading">
      <h2 id="related-heading" class="mb-5 text-2xl font-bold tracking-tight">More from {category.name}</h2>
      <ProductGrid products={list} eagerCount={0} label={`More from ${category.name}`} />
    </section>
  );
}

export default function Product({ params }) {
  const { tree } = useStore(categoriesStore);
  const res = useAsync((signal) => getProduct(params.slug, signal), [params.slug]);
  const product = res.data;
  useTitle(product ? product.name : res.error ? 'Product not found' : '');

  if (res.error?.status === 404 || res.error?.status === 422) {
    return (
      <EmptyState icon="search" title="This product is not here" headingLevel={1} action={<Link href="/products" class="btn-primary">Browse all products</Link>}>
        It may have been removed or renamed. Try searching for it.
      </EmptyState>
    );
  }
  if (res.error) return <ErrorState error={res.error} onRetry={res.reload} title="This product could not be loaded" headingLevel={1} />;
  if (!product || product.slug !== params.slug && product.id !== params.slug) {
    return (
      <div class="grid animate-pulse gap-10 md:grid-cols-2" aria-busy="true">
        <span class="sr-only" role="status">Loading product</span>
        <div class="aspect-square rounded-2xl bg-stone-200" />
        <div class="space-y-4 pt-4">
          <div class="h-8 w-3/4 rounded bg-stone-200" />
          <div class="h-6 w-1/4 rounded bg-stone-200" />
          <div class="h-24 rounded bg-stone-200" />
        </div>
      </div>
    );
  }

  const category = findCategoryById(tree, product.category_ids[0]);
  const sale = saleLabel(product.price, product.compare_at_price);
  return (
    <div>
      <nav aria-label="Breadcrumb" class="text-sm text-stone-600">
        <ol class="flex flex-wrap items-center gap-1">
          <li><Link href="/" class="hover:text-stone-900">Home</Link></li>
          {category?.parent && (
            <>
              <li aria-hidden="true"><Icon name="chevronRight" class="size-3.5" /></li>
              <li><Link href={withQuery('/products', { category: category.parent.slug })} class="hover:text-stone-900">{category.parent.name}</Link></li>
            </>
          )}
          {category && (
            <>
              <li aria-hidden="true"><Icon name="chevronRight" class="size-3.5" /></li>
              <li><Link href={withQuery('/products', { category: category.slug })} class="hover:text-stone-900">{category.name}</Link></li>
            </>
          )}
          <li aria-hidden="true"><Icon name="chevronRight" class="size-3.5" /></li>
          <li aria-current="page" class="font-medium text-stone-900">{product.name}</li>
        </ol>
      </nav>

      <div class="mt-6 grid gap-8 md:grid-cols-2 lg:gap-14">
        <Gallery product={product} />
        <div class="md:pt-2">
          {category && <p class="text-sm font-semibold uppercase tracking-wide text-emerald-800">{category.name}</p>}
          <h1 class="mt-2 text-3xl font-bold tracking-tight text-stone-900 sm:text-4xl">{product.name}</h1>
          <div class="mt-4 flex flex-wrap items-center gap-3">
            <Price price={product.price} compareAt={product.compare_at_price} currency={product.currency} size="lg" />
            {sale && product.in_stock && <span class="rounded-full bg-rose-700 px-2.5 py-0.5 text-sm font-semibold text-white">{sale}</span>}
          </div>
          <TaxNote />
          <div class="mt-4" data-testid="stock">
            <StockLabel inStock={product.in_stock} onlyLeft={product.only_left} />
          </div>

          <AddToCart product={product} />

          <div class="mt-10 border-t border-stone-200 pt-6">
            <h2 class="text-base font-semibold text-stone-900">About this product</h2>
            <p class="mt-3 whitespace-pre-line leading-relaxed text-stone-700" data-testid="description">{product.description}</p>
            {product.sku && (
              <p class="mt-4 text-sm text-stone-600">
                SKU <span class="font-mono">{product.sku}</span>
              </p>
            )}
          </div>
        </div>
      </div>

      <Related product={product} category={category} />
    </div>
  );
}
