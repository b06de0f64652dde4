// not_found.jsx: a path the shop does not have.
import { Link } from '../lib/router.jsx';
import { useTitle } from '../lib/title.js';
import { EmptyState } from '../components/states.jsx';

export default function NotFound() {
  useTitle('Page not found');
  return (
    <div>
      <EmptyState icon="search" headingLevel={1} title="This page does not exist" action={<Link href="/" class="btn-primary">Go to the shop</Link>}>
        The link may be old or mistyped. Search above, or start from the home page.
      </EmptyState>
    </div>
  );
}
