// layout.jsx: the page frame: skip link, header (logo, search, account, cart count, category
// bar), a real mobile navigation drawer, the main region and the footer. Checkout and admin
// pages use the same frame, or a frame of their own beside it.
import { Fragment } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { Link, navigate, useLocation, withQuery } from '../lib/router.jsx';
import { useStore } from '../lib/store.js';
import { authStore } from '../lib/auth.js';
import { cartStore } from '../lib/cart.js';
import { categoriesStore, loadCategories } from '../lib/catalog.js';
import { useShop } from '../lib/shop.js';
import { Icon } from './icons.jsx';

export function Logo() {
  const name = useShop()?.name || '';
  return (
    <Link href="/" class="flex shrink-0 items-center gap-2 rounded-md text-xl font-bold tracking-tight text-stone-900">
      <svg class="size-8" viewBox="0 0 64 64" aria-hidden="true">
        <rect width="64" height="64" rx="14" fill="#064e3b" />
        <path d="M16 46V20l16 16 16-16v26" fill="none" stroke="#fef3c7" stroke-width="7" stroke-linecap="round" stroke-linejoin="round" />
      </svg>
      {name ? <span>{name}</span> : <span class="sr-only">Home</span>}
    </Link>
  );
}

function SearchForm({ id, class: cls = '' }) {
  const { path, query } = useLocation();
  const maxLength = useShop()?.limits.search_q_max;
  const q = path === '/products' ? query.get('q') || '' : '';
  const [value, setValue] = useState(q);
  useEffect(() => setValue(q), [q]);
  const submit = (e) => {
    e.preventDefault();
    const text = value.trim();
    // A new search keeps the category being browsed and starts from the first page.
    const category = path === '/products' ? query.get('category') : null;
    navigate(withQuery('/products', { q: text, category }));
  };
  return (
    <form role="search" class={`relative ${cls}`} onSubmit={submit}>
      <label for={id} class="sr-only">
        Search products
      </label>
      <input
        id={id}
        type="search"
        name="q"
        value={value}
        onInput={(e) => setValue(e.currentTarget.value)}
        placeholder="Search products"
        maxLength={maxLength}
        autoComplete="off"
        class="input h-11 pr-12"
      />
      <button type="submit" class="absolute inset-y-1 right-1 flex w-10 items-center justify-center rounded-md text-stone-700 hover:bg-stone-100 hover:text-stone-900">
        <Icon name="search" />
        <span class="sr-only">Search</span>
      </button>
    </form>
  );
}

function CartLink() {
  const { cart } = useStore(cartStore);
  const n = cart?.item_count || 0;
  return (
    <Link href="/cart" class="relative flex size-11 items-center justify-center rounded-full text-stone-800 hover:bg-stone-100" data-testid="cart-link">
      <Icon name="bag" class="size-6" />
      <span class="sr-only">Cart, {n === 1 ? '1 item' : `${n} items`}</span>
      {n > 0 && (
        <span aria-hidden="true" data-testid="cart-count" class="absolute -right-0.5 -top-0.5 flex h-5 min-w-5 items-center justify-center rounded-full bg-emerald-800 px-1 text-xs font-bold text-white">
          {n > 99 ? '99+' : n}
        </span>
      )}
    </Link>
  );
}

function AccountLink() {
  const { status, user } = useStore(authStore);
  if (status === 'loading') return <span class="hidden w-24 md:block" aria-hidden="true" />;
  if (!user) {
    return (
      <Link href="/signin" class="hidden items-center gap-2 rounded-full px-3 py-2 text-sm font-medium text-stone-800 hover:bg-stone-100 md:flex">
        <Icon name="user" /> Sign in
      </Link>
    );
  }
  return (
    <Link href="/account" class="hidden max-w-48 items-center gap-2 rounded-full px-3 py-2 text-sm font-medium text-stone-800 hover:bg-stone-100 md:flex" data-testid="account-link">
      <Icon name="user" />
      <span class="truncate">{user.name}</span>
    </Link>
  );
}

/** Top-level categories as a bar under the header (md and up). */
function CategoryBar() {
  const { tree } = useStore(categoriesStore);
  const { path, query } = useLocation();
  const active = path === '/products' ? query.get('category') : null;
  const activeTop = tree.find((c) => c.slug === active || (c.children || []).some((k) => k.slug === active));
  const item = (href, label, current) => (
    <li>
      <Link
        href={href}
        aria-current={current ? 'page' : undefined}
        class={`block whitespace-nowrap rounded-md px-3 py-2 text-sm font-medium ${current ? 'bg-emerald-50 text-emerald-900' : 'text-stone-700 hover:bg-stone-100 hover:text-stone-900'}`}
      >
        {label}
      </Link>
    </li>
  );
  return (
    <nav aria-label="Categories" class="hidden border-t border-stone-200 md:block">
      <ul class="mx-auto flex max-w-7xl gap-1 overflow-x-auto px-4 py-1.5 sm:px-6 lg:px-8">
        {item('/products', 'All products', path === '/products' && !active)}
        {tree.map((c) => item(withQuery('/products', { category: c.slug }), c.name, activeTop === c))}
      </ul>
    </nav>
  );
}

/** The phone navigation: a modal drawer (native <dialog>: focus kept inside, Escape closes). */
function MobileNav() {
  const ref = useRef(null);
  const { tree } = useStore(categoriesStore);
  const { user } = useStore(authStore);
  const { path, search } = useLocation();
  useEffect(() => {
    if (ref.current?.open) ref.current.close();
  }, [path, search]);
  const open = () => ref.current?.showModal();
  const close = () => ref.current?.close();
  const link = (href, label, sub = false) => (
    <li>
      <Link href={href} class={`block rounded-lg px-3 py-2.5 ${sub ? 'pl-7 text-stone-700' : 'font-medium text-stone-900'} hover:bg-stone-100`}>
        {label}
      </Link>
    </li>
  );
  return (
    <>
      <button type="button" onClick={open} class="flex size-11 items-center justify-center rounded-full text-stone-800 hover:bg-stone-100 md:hidden" aria-haspopup="dialog" data-testid="menu-button">
        <Icon name="menu" class="size-6" />
        <span class="sr-only">Menu</span>
      </button>
      <dialog
        ref={ref}
        aria-label="Menu"
        onClick={(e) => e.target === ref.current && close()}
        class="m-0 h-dvh max-h-none w-[min(22rem,88vw)] max-w-none bg-white p-0 shadow-2xl backdrop:bg-stone-900/50"
      >
        <div class="flex h-full flex-col">
          <div class="flex items-center justify-between border-b border-stone-200 px-4 py-3">
            <Logo />
            <button type="button" onClick={close} class="flex size-11 items-center justify-center rounded-full hover:bg-stone-100">
              <Icon name="close" class="size-6" />
              <span class="sr-only">Close menu</span>
            </button>
          </div>
          <nav aria-label="Shop" class="flex-1 overflow-y-auto px-2 py-3">
            <ul class="space-y-0.5">
              {link('/', 'Home')}
              {link('/products', 'All products')}
              {tree.map((c) => (
                <Fragment key={c.id}>
                  {link(withQuery('/products', { category: c.slug }), c.name)}
                  {(c.children || []).map((k) => link(withQuery('/products', { category: k.slug }), k.name, true))}
                </Fragment>
              ))}
            </ul>
          </nav>
          <div class="border-t border-stone-200 p-4">
            {user ? (
              <Link href="/account" class="btn-secondary w-full">
                <Icon name="user" /> {user.name}
              </Link>
            ) : (
              <div class="grid grid-cols-2 gap-3">
                <Link href="/signin" class="btn-secondary">Sign in</Link>
                <Link href="/signup" class="btn-primary whitespace-nowrap px-3">Create account</Link>
              </div>
            )}
          </div>
        </div>
      </dialog>
    </>
  );
}

export function Header() {
  useEffect(() => {
    loadCategories().catch(() => {});
  }, []);
  return (
    <header class="sticky top-0 z-30 border-b border-stone-200 bg-white/95 backdrop-blur supports-[backdrop-filter]:bg-white/85">
      <div class="mx-auto flex max-w-7xl items-center gap-2 px-3 py-2 sm:gap-4 sm:px-6 md:py-3 lg:px-8">
        <MobileNav />
        <Logo />
        <SearchForm id="search-desktop" class="mx-4 hidden max-w-xl flex-1 md:block" />
        <div class="ml-auto flex items-center gap-1">
          <AccountLink />
          <CartLink />
        </div>
      </div>
      <div class="px-3 pb-3 sm:px-6 md:hidden">
        <SearchForm id="search-mobile" />
      </div>
      <CategoryBar />
    </header>
  );
}

export function Footer() {
  const { tree } = useStore(categoriesStore);
  const { user } = useStore(authStore);
  const name = useShop()?.name;
  return (
    <footer class="mt-20 border-t border-stone-200 bg-white">
      <div class="mx-auto grid max-w-7xl grid-cols-2 gap-x-6 gap-y-10 px-4 py-12 sm:px-6 md:grid-cols-4 lg:px-8">
        <div class="col-span-2">
          <Logo />
          <p class="mt-3 max-w-sm text-sm text-stone-600">
            Well-made things for the kitchen, the home, the garden and the road. Chosen to be used every day and kept for years.
          </p>
        </div>
        <nav aria-label="Footer: shop">
          <h2 class="text-sm font-semibold text-stone-900">Shop</h2>
          <ul class="mt-3 space-y-2 text-sm">
            <li><Link href="/products" class="text-stone-600 hover:text-stone-900">All products</Link></li>
            {tree.map((c) => (
              <li key={c.id}>
                <Link href={withQuery('/products', { category: c.slug })} class="text-stone-600 hover:text-stone-900">{c.name}</Link>
              </li>
            ))}
          </ul>
        </nav>
        <nav aria-label="Footer: account">
          <h2 class="text-sm font-semibold text-stone-900">Your account</h2>
          <ul class="mt-3 space-y-2 text-sm">
            {user ? (
              <li><Link href="/account" class="text-stone-600 hover:text-stone-900">Account</Link></li>
            ) : (
              <>
                <li><Link href="/signin" class="text-stone-600 hover:text-stone-900">Sign in</Link></li>
                <li><Link href="/signup" class="text-stone-600 hover:text-stone-900">Create an account</Link></li>
              </>
            )}
            <li><Link href="/cart" class="text-stone-600 hover:text-stone-900">Cart</Link></li>
          </ul>
        </nav>
      </div>
      <div class="border-t border-stone-200">
        <p class="mx-auto max-w-7xl px-4 py-5 text-xs text-stone-600 sm:px-6 lg:px-8">
          © {new Date().getFullYear()} {name ? `${name} · ` : ''}Powered by Mercato, the open-source shop backend
        </p>
      </div>
    </footer>
  );
}

/** The frame every storefront page sits in. main gets focus after in-app navigation. */
export function Layout({ children }) {
  const main = useRef(null);
  const { path } = useLocation();
  const first = useRef(true);
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    // A new page: start screen readers and keyboards at its content (filters changing the
    // query string keep the focus where it is).
    main.current?.focus({ preventScroll: true });
  }, [path]);
  return (
    <div class="flex min-h-screen flex-col">
      <a href="#main" class="sr-only z-50 rounded-md bg-white px-4 py-2 font-medium text-emerald-900 shadow focus:not-sr-only focus:absolute focus:left-3 focus:top-3">
        Skip to content
      </a>
      <Header />
      <main id="main" ref={main} tabIndex={-1} class="mx-auto w-full max-w-7xl flex-1 px-4 pt-6 focus:outline-none sm:px-6 lg:px-8">
        {children}
      </main>
      <Footer />
    </div>
  );
}
