// app.jsx: the route table and the guards. Each row is a path pattern, the page, the frame it
// sits in, and who may see it (auth: 'user' sends guests to sign in, 'guest' is for sign-in
// pages). Checkout and the admin dashboard add their rows here (admin with its own frame and
// role: 'admin'), with lazy pages so the shop's first load stays small.
import { useLocation, matchPath, Redirect, withQuery } from './lib/router.jsx';
import { useStore } from './lib/store.js';
import { authStore } from './lib/auth.js';
import { loadShop, shopStore } from './lib/shop.js';
import { Layout } from './components/layout.jsx';
import { ErrorState, Loading } from './components/states.jsx';
import Home from './pages/home.jsx';
import Catalog from './pages/catalog.jsx';
import Product from './pages/product.jsx';
import Cart from './pages/cart.jsx';
import { SignIn, SignUp } from './pages/auth_pages.jsx';
import Account from './pages/account.jsx';
import NotFound from './pages/not_found.jsx';

export const routes = [
  { path: '/', page: Home },
  { path: '/products', page: Catalog },
  { path: '/products/:slug', page: Product },
  { path: '/cart', page: Cart },
  { path: '/signin', page: SignIn },
  { path: '/signup', page: SignUp },
  { path: '/account', page: Account, auth: 'user' },
];

function resolve(path) {
  for (const r of routes) {
    const params = matchPath(r.path, path);
    if (params) return { route: r, params };
  }
  return { route: { page: NotFound }, params: {} };
}

/** Who may see the route: renders the page, a wait, or a redirect to sign in. */
function Guard({ route, params, search, path }) {
  const { status, user } = useStore(authStore);
  const shop = useStore(shopStore);
  // Pages check input against the shop's limits and show its currency: they wait for it.
  if (shop.status === 'error') {
    return <ErrorState title="The shop could not be loaded" error={shop.error} onRetry={() => loadShop().catch(() => {})} headingLevel={1} />;
  }
  if (!shop.shop) return <Loading />;
  if (route.auth === 'user' || route.role) {
    if (status === 'loading') return <Loading />;
    if (!user) return <Redirect to={withQuery('/signin', { next: path + search })} />;
    if (route.role && user.role !== route.role) return <NotFound />;
  }
  const Page = route.page;
  return <Page params={params} />;
}

export function App() {
  const { path, search } = useLocation();
  const { route, params } = resolve(path);
  const Frame = route.frame || Layout;
  return (
    <Frame>
      <Guard route={route} params={params} search={search} path={path} />
    </Frame>
  );
}
