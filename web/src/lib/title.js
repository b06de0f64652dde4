// title.js: the document title per page ("Blue Mug · Mercato", with the shop's own name).
import { useEffect } from 'preact/hooks';
import { useShop } from './shop.js';

export function useTitle(title) {
  const name = useShop()?.name || '';
  useEffect(() => {
    document.title = title && name ? `${title} · ${name}` : title || name;
  }, [title, name]);
}
