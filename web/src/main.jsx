// main.jsx: starts the shop: styles, the session from the refresh cookie (which then loads the
// cart), and the app.
import './styles.css';
import { render } from 'preact';
import { App } from './app.jsx';
import { bootstrapAuth } from './lib/auth.js';
import './lib/cart.js';

bootstrapAuth();
render(<App />, document.getElementById('app'));
