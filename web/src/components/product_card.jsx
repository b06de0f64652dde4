// product_card.jsx: one product in a grid: image (fixed dimensions, lazy), name, price, stock.
import { Link } from '../lib/router.jsx';
import { Price, StockLabel, saleLabel } from './price.jsx';

/** The product's first image, or a neutral tile of the same shape. */
export function ProductImage({ product, image, class: cls = '', eager = false, sizes }) {
  const img = image || product.images?.[0];
  if (!img) {
    return (
      <div class={`flex aspect-square items-center justify-center bg-stone-100 text-sm text-stone-600 ${cls}`}>
        No image
      </div>
    );
  }
  return (
    <img
      src={img.url}
      alt={product.name}
      width={img.width}
      height={img.height}
      loading={eager ? 'eager' : 'lazy'}
      decoding="async"
      sizes={sizes}
      class={`aspect-square h-auto w-full bg-stone-100 object-cover ${cls}`}
    />
  );
}

export function ProductCard({ product, eager = false }) {
  const sale = saleLabel(product.price, product.compare_at_price);
  return (
    <li class="group relative flex flex-col">
      <div class="relative overflow-hidden rounded-xl ring-1 ring-stone-200/70">
        <ProductImage
          product={product}
          eager={eager}
          class={`transition duration-300 group-hover:scale-[1.03] ${product.in_stock ? '' : 'opacity-60 grayscale-[40%]'}`}
        />
        {sale && product.in_stock && (
          <span class="absolute left-2.5 top-2.5 rounded-full bg-rose-700 px-2 py-0.5 text-xs font-semibold text-white">
            {sale}
          </span>
        )}
        {!product.in_stock && (
          <span class="absolute left-2.5 top-2.5 rounded-full bg-stone-800 px-2 py-0.5 text-xs font-semibold text-white">
            Sold out
          </span>
        )}
      </div>
      <h3 class="mt-3 text-sm font-medium leading-snug text-stone-900 sm:text-base">
        <Link href={`/products/${product.slug}`} class="after:absolute after:inset-0 focus-visible:outline-none after:rounded-xl focus-visible:after:outline-3 focus-visible:after:outline-offset-2 focus-visible:after:outline-emerald-700">
          {product.name}
        </Link>
      </h3>
      <div class="mt-1">
        <Price price={product.price} compareAt={product.compare_at_price} currency={product.currency} />
      </div>
      {product.in_stock && product.only_left && (
        <div class="mt-0.5">
          <StockLabel inStock onlyLeft={product.only_left} />
        </div>
      )}
    </li>
  );
}

/** A responsive grid of product cards. */
export function ProductGrid({ products, eagerCount = 4, label }) {
  return (
    <ul class="grid grid-cols-2 gap-x-4 gap-y-8 sm:gap-x-6 md:grid-cols-3 xl:grid-cols-4" aria-label={label}>
      {products.map((p, i) => (
        <ProductCard key={p.id} product={p} eager={i < eagerCount} />
      ))}
    </ul>
  );
}
