// main.jsx: starts the shop: styles, the shop's settings and limits, the session from the
// refresh cookie (which then loads the cart), and the app.
import './styles.css';
import { render } from 'preact';
import { App } from './app.jsx';
import { bootstrapAuth } from './lib/auth.js';
import { loadShop } from './lib/shop.js';
import './lib/cart.js';

loadShop().catch(() => {}); // a failure is shown by the app, with a retry
bootstrapAuth();
render(<App />, document.getElementById('app'));
