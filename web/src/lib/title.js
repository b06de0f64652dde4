// title.js: the document title per page ("Blue Mug · Mercato").
import { useEffect } from 'preact/hooks';

export function useTitle(title) {
  useEffect(() => {
    document.title = title ? `${title} · Mercato` : 'Mercato';
  }, [title]);
}
