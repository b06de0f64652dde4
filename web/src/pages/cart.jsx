// cart.jsx: the cart as the server computes it: lines with quantities to change and remove,
// each line's warnings (price changed, not enough stock, sold out, unavailable), a coupon to
// apply or remove with the API's own refusal messages, and the server's totals.
import { useEffect, useRef, useState } from 'preact/hooks';
import { Link, withQuery } from '../lib/router.jsx';
import { useStore } from '../lib/store.js';
import { authStore } from '../lib/auth.js';
import { applyCoupon, cartStore, clearCart, loadCart, removeCoupon, removeLine, setQuantity } from '../lib/cart.js';
import { money, plural } from '../lib/format.js';
import { useTitle } from '../lib/title.js';
import { QuantityInput } from '../components/quantity.jsx';
import { EmptyState, ErrorState, Loading, Spinner } from '../components/states.jsx';
import { Icon } from '../components/icons.jsx';

const QUANTITY_DELAY_MS = 400;

/** The message for a failed change to one line. */
function lineErrorText(err) {
  if (err.code === 'insufficient_stock' && typeof err.problem.available === 'number') {
    return err.problem.available === 0 ? 'Sorry, this product just sold out.' : `Only ${err.problem.available} available.`;
  }
  return err.fields.quantity || err.message;
}

function Warning({ children }) {
  return (
    <p class="mt-2 flex items-start gap-2 rounded-lg bg-amber-50 px-3 py-2 text-sm text-amber-950 ring-1 ring-amber-200">
      <Icon name="alert" class="mt-0.5 size-4 shrink-0 text-amber-700" />
      <span>{children}</span>
    </p>
  );
}

function Line({ line }) {
  const [pending, setPending] = useState(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const timer = useRef(null);
  useEffect(() => () => clearTimeout(timer.current), []);
  const blocked = line.warnings.some((w) => w.code === 'out_of_stock' || w.code === 'unavailable');
  // What is in stock (or more, when the line already holds more: lowering it must work); the
  // quantity field keeps it within the shop's limit.
  const max = Math.max(line.available, line.quantity);
  const href = `/products/${line.slug}`;

  const change = (n) => {
    setPending(n);
    setError(null);
    clearTimeout(timer.current);
    // Steppers get clicked several times in a row: send the number the customer settles on.
    timer.current = setTimeout(async () => {
      setBusy(true);
      try {
        await setQuantity(line.product_id, n);
      } catch (err) {
        setError(lineErrorText(err));
      } finally {
        setPending(null);
        setBusy(false);
      }
    }, QUANTITY_DELAY_MS);
  };
  const remove = async () => {
    clearTimeout(timer.current);
    setBusy(true);
    setError(null);
    try {
      await removeLine(line.product_id);
    } catch (err) {
      setError(err.message);
      setBusy(false);
    }
  };

  return (
    <li class="flex gap-4 py-6" data-testid="cart-line" data-product-id={line.product_id}>
      <Link href={href} class="self-start overflow-hidden rounded-xl ring-1 ring-stone-200" tabIndex={-1} aria-hidden="true">
        {line.image ? (
          <img src={line.image.url} alt={line.image.alt || line.name} width={line.image.width} height={line.image.height} class="size-20 bg-stone-100 object-cover sm:size-28" loading="lazy" decoding="async" />
        ) : (
          <div class="size-20 bg-stone-100 sm:size-28" />
        )}
      </Link>
      <div class="flex min-w-0 flex-1 flex-col">
        <div class="flex justify-between gap-4">
          <div class="min-w-0">
            <h3 class="font-medium text-stone-900">
              <Link href={href} class="hover:underline">{line.name}</Link>
            </h3>
            <p class="mt-0.5 text-sm text-stone-600">{money(line.unit_price, line.currency)} each</p>
          </div>
          <div class="shrink-0 text-right">
            <p class={`font-semibold tabular-nums ${blocked ? 'text-stone-500 line-through' : 'text-stone-900'}`} data-testid="line-total">
              {money(line.line_total, line.currency)}
              {blocked && <span class="sr-only"> (not counted in the total)</span>}
            </p>
            {line.discount > 0 && <p class="text-sm text-emerald-800">−{money(line.discount, line.currency)}<span class="hidden sm:inline"> coupon</span></p>}
          </div>
        </div>
        {line.warnings.map((w) => (
          <Warning key={w.code}>{w.message}</Warning>
        ))}
        <div class="mt-3 flex flex-wrap items-center gap-x-3 gap-y-2">
          <QuantityInput
            id={`qty-${line.product_id}`}
            value={pending ?? line.quantity}
            onChange={change}
            max={max}
            label={`Quantity of ${line.name}`}
            disabled={blocked}
            size="sm"
          />
          <button type="button" onClick={remove} class="btn-ghost min-h-10 px-3 py-2 text-stone-700" disabled={busy && pending === null}>
            <Icon name="trash" class="size-4" /> Remove<span class="sr-only"> {line.name}</span>
          </button>
          {busy && <Spinner label="Updating" class="size-4 text-emerald-800" />}
        </div>
        {error && (
          <p role="alert" class="mt-2 flex items-start gap-2 text-sm font-medium text-rose-700">
            <Icon name="alert" class="mt-0.5 size-4 shrink-0" /> {error}
          </p>
        )}
      </div>
    </li>
  );
}

function CouponForm({ cart }) {
  const [code, setCode] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const submit = async (e) => {
    e.preventDefault();
    const text = code.trim();
    if (!text) {
      setError('Enter a coupon code.');
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await applyCoupon(text);
      setCode('');
    } catch (err) {
      let msg = err.fields.code || err.message;
      if (err.code === 'coupon_below_minimum' && typeof err.problem.minimum === 'number' && !err.fields.code) {
        msg = `This coupon needs an order of at least ${money(err.problem.minimum, cart.totals.currency)}.`;
      }
      setError(msg);
    } finally {
      setBusy(false);
    }
  };
  const drop = async () => {
    setBusy(true);
    setError(null);
    try {
      await removeCoupon();
    } catch (err) {
      setError(err.message);
    } finally {
      setBusy(false);
    }
  };
  if (cart.coupon) {
    const c = cart.coupon;
    return (
      <div class="rounded-xl bg-emerald-50 p-3 ring-1 ring-emerald-200">
        <div class="flex items-center justify-between gap-3">
          <p class="flex items-center gap-2 text-sm">
            <Icon name="tag" class="size-4 text-emerald-800" />
            <span>
              <span class="font-mono font-semibold text-emerald-950" data-testid="coupon-code">{c.code}</span>
              <span class="text-emerald-900"> · {c.kind === 'percent' ? `${c.value}% off` : `${money(c.value, cart.totals.currency)} off`}</span>
            </span>
          </p>
          <button type="button" onClick={drop} disabled={busy} class="rounded-md px-2 py-1 text-sm font-semibold text-emerald-900 underline underline-offset-2 hover:no-underline">
            Remove<span class="sr-only"> coupon {c.code}</span>
          </button>
        </div>
        {cart.coupon_problem && <Warning>{cart.coupon_problem.message}</Warning>}
        {error && <p role="alert" class="mt-2 text-sm font-medium text-rose-700">{error}</p>}
      </div>
    );
  }
  return (
    <form onSubmit={submit} noValidate>
      <label for="coupon" class="block text-sm font-medium text-stone-800">Coupon code</label>
      <div class="mt-1.5 flex gap-2">
        <input
          id="coupon"
          name="code"
          value={code}
          onInput={(e) => setCode(e.currentTarget.value)}
          maxLength={64}
          autoComplete="off"
          autoCapitalize="characters"
          spellcheck={false}
          class={`input uppercase placeholder:normal-case ${error ? 'input-invalid' : ''}`}
          aria-invalid={error ? 'true' : undefined}
          aria-describedby={error ? 'coupon-error' : undefined}
          placeholder="e.g. WELCOME10"
        />
        <button type="submit" class="btn-secondary shrink-0" disabled={busy}>
          {busy ? <Spinner label="Applying" class="size-4 text-stone-700" /> : 'Apply'}
        </button>
      </div>
      {error && (
        <p id="coupon-error" role="alert" class="mt-1.5 flex items-start gap-1.5 text-sm font-medium text-rose-700" data-field-error="code">
          <Icon name="alert" class="mt-0.5 size-4 shrink-0" /> {error}
        </p>
      )}
    </form>
  );
}

function Summary({ cart }) {
  const t = cart.totals;
  const row = (label, value, extra = '', testid) => (
    <div class={`flex justify-between gap-4 ${extra}`}>
      <dt>{label}</dt>
      <dd class="tabular-nums" data-testid={testid}>{value}</dd>
    </div>
  );
  return (
    <section aria-labelledby="summary-heading" class="card p-5 sm:p-6 lg:sticky lg:top-40">
      <h2 id="summary-heading" class="text-lg font-semibold">Order summary</h2>
      <dl class="mt-4 space-y-2.5 text-sm text-stone-700">
        {row('Subtotal', money(t.subtotal, t.currency), '', 'subtotal')}
        {t.discount > 0 && row(cart.coupon ? `Discount (${cart.coupon.code})` : 'Discount', `−${money(t.discount, t.currency)}`, 'text-emerald-800 font-medium', 'discount')}
        {row('Shipping', cart.items.length && t.shipping === 0 ? 'Free' : money(t.shipping, t.currency), '', 'shipping')}
        {!t.tax_inclusive && t.tax > 0 && row('Tax', money(t.tax, t.currency), '', 'tax')}
        <div class="flex justify-between gap-4 border-t border-stone-200 pt-3 text-base font-semibold text-stone-900">
          <dt>Total</dt>
          <dd class="tabular-nums" data-testid="total">{money(t.total, t.currency)}</dd>
        </div>
        {t.tax_inclusive && t.tax > 0 && <p class="text-xs text-stone-600">Includes {money(t.tax, t.currency)} tax</p>}
      </dl>
      <div class="mt-6 border-t border-stone-200 pt-5">
        <CouponForm cart={cart} />
      </div>
      {!cart.checkout_ready && cart.items.length > 0 && (
        <p class="mt-5 text-sm text-amber-900">Some items need your attention before you can order them.</p>
      )}
      <Link href="/products" class="btn-secondary mt-6 w-full">Continue shopping</Link>
    </section>
  );
}

function ClearCart() {
  const [asking, setAsking] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const yes = useRef(null);
  useEffect(() => {
    if (asking) yes.current?.focus();
  }, [asking]);
  const clear = async () => {
    setBusy(true);
    setError(null);
    try {
      await clearCart();
    } catch (err) {
      setError(err.message);
      setBusy(false);
    }
  };
  if (!asking) {
    return (
      <button type="button" class="btn-ghost min-h-10 px-3 py-2" onClick={() => setAsking(true)}>
        <Icon name="trash" class="size-4" /> Clear cart
      </button>
    );
  }
  return (
    <div class="flex flex-wrap items-center gap-2 text-sm" role="group" aria-label="Clear the cart?">
      <span class="font-medium">Remove everything?</span>
      <button ref={yes} type="button" class="btn-primary min-h-10 bg-rose-700 px-4 py-2 hover:bg-rose-800" onClick={clear} disabled={busy}>
        Yes, clear cart
      </button>
      <button type="button" class="btn-ghost min-h-10 px-3 py-2" onClick={() => setAsking(false)}>Keep it</button>
      {error && <p role="alert" class="w-full text-rose-700">{error}</p>}
    </div>
  );
}

export default function Cart() {
  useTitle('Your cart');
  const { status, cart, error } = useStore(cartStore);
  const { user } = useStore(authStore);
  // Coming here from another page: fetch the cart afresh (stock and prices move). On a first
  // load the session is still being restored, and that loads the cart once it is known.
  useEffect(() => {
    if (authStore.get().status !== 'loading') loadCart().catch(() => {});
  }, []);

  if (status === 'error') return <ErrorState error={error} onRetry={() => loadCart().catch(() => {})} title="Your cart could not be loaded" headingLevel={1} />;
  if (!cart) return <Loading label="Loading your cart…" />;
  if (cart.items.length === 0) {
    return (
      <div>
        <h1 class="text-3xl font-bold tracking-tight">Your cart</h1>
        <EmptyState title="Your cart is empty" action={<Link href="/products" class="btn-primary">Start shopping</Link>}>
          {user ? (
            'Find something you like and it will wait for you here.'
          ) : (
            <>
              Find something you like. Have an account?{' '}
              <Link href={withQuery('/signin', { next: '/cart' })} class="font-medium text-emerald-800 underline underline-offset-2">Sign in</Link>{' '}
              to see your saved cart.
            </>
          )}
        </EmptyState>
      </div>
    );
  }
  return (
    <div>
      <div class="flex flex-wrap items-end justify-between gap-3">
        <div>
          <h1 class="text-3xl font-bold tracking-tight">Your cart</h1>
          <p class="mt-1 text-stone-600" data-testid="cart-summary-count">{plural(cart.item_count, 'item')}</p>
        </div>
        <ClearCart />
      </div>
      {!user && (
        <p class="mt-4 flex flex-wrap items-center gap-x-2 rounded-xl bg-white px-4 py-3 text-sm text-stone-700 ring-1 ring-stone-200">
          <Icon name="user" class="size-4 text-emerald-800" />
          Shopping as a guest.
          <Link href={withQuery('/signin', { next: '/cart' })} class="font-semibold text-emerald-800 underline underline-offset-2">Sign in</Link>
          or
          <Link href={withQuery('/signup', { next: '/cart' })} class="font-semibold text-emerald-800 underline underline-offset-2">create an account</Link>
          and your cart comes with you.
        </p>
      )}
      <div class="mt-6 lg:grid lg:grid-cols-[1fr_22rem] lg:items-start lg:gap-10">
        <section aria-labelledby="lines-heading">
          <h2 id="lines-heading" class="sr-only">Items in your cart</h2>
          <ul class="divide-y divide-stone-200 border-y border-stone-200">
            {cart.items.map((l) => (
              <Line key={l.product_id} line={l} />
            ))}
          </ul>
        </section>
        <div class="mt-8 lg:mt-0">
          <Summary cart={cart} />
        </div>
      </div>
    </div>
  );
}
