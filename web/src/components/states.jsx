// states.jsx: what a page shows while it loads, when there is nothing, and when it failed.
import { Icon } from './icons.jsx';

export function Spinner({ label = 'Loading', class: cls = 'size-5 text-emerald-800' }) {
  return (
    <span role="status" class="inline-flex items-center gap-2">
      <svg class={`${cls} animate-spin`} viewBox="0 0 24 24" fill="none" aria-hidden="true">
        <circle cx="12" cy="12" r="9" stroke="currentColor" stroke-opacity=".2" stroke-width="3" />
        <path d="M21 12a9 9 0 0 0-9-9" stroke="currentColor" stroke-width="3" stroke-linecap="round" />
      </svg>
      <span class="sr-only">{label}</span>
    </span>
  );
}

/** A centred spinner with a text for a whole page or section. */
export function Loading({ label = 'Loading…' }) {
  return (
    <div class="flex min-h-64 items-center justify-center gap-3 text-stone-600" aria-busy="true">
      <Spinner label={label} />
      <span aria-hidden="true">{label}</span>
    </div>
  );
}

/** Grey blocks in the shape of a product grid while it loads. */
export function GridSkeleton({ count = 8 }) {
  return (
    <ul class="grid grid-cols-2 gap-x-4 gap-y-8 sm:gap-x-6 md:grid-cols-3 xl:grid-cols-4" aria-hidden="true">
      {Array.from({ length: count }, (_, i) => (
        <li key={i} class="animate-pulse">
          <div class="aspect-square rounded-xl bg-stone-200" />
          <div class="mt-3 h-4 w-3/4 rounded bg-stone-200" />
          <div class="mt-2 h-4 w-1/3 rounded bg-stone-200" />
        </li>
      ))}
    </ul>
  );
}

/** A failed load: the API's explanation and a Retry button. */
export function ErrorState({ error, onRetry, title = 'This could not be loaded', headingLevel = 2 }) {
  const H = `h${headingLevel}`;
  return (
    <div role="alert" class="mx-auto my-10 max-w-lg rounded-2xl border border-rose-200 bg-rose-50 p-6 text-center">
      <Icon name="alert" class="mx-auto size-8 text-rose-700" />
      <H class="mt-3 text-lg font-semibold text-stone-900">{title}</H>
      <p class="mt-1 text-stone-700">{error?.message || 'Something went wrong.'}</p>
      {onRetry && (
        <button type="button" class="btn-secondary mt-5" onClick={onRetry}>
          <Icon name="refresh" class="size-4" /> Try again
        </button>
      )}
    </div>
  );
}

/** Nothing to show: a title, a sentence and an action. */
export function EmptyState({ icon = 'bag', title, children, action, headingLevel = 2 }) {
  const H = `h${headingLevel}`;
  return (
    <div class="mx-auto my-10 max-w-md rounded-2xl border border-dashed border-stone-300 bg-white px-6 py-12 text-center">
      <span class="mx-auto flex size-14 items-center justify-center rounded-full bg-emerald-50 text-emerald-800">
        <Icon name={icon} class="size-7" />
      </span>
      <H class="mt-4 text-lg font-semibold">{title}</H>
      {children && <div class="mt-1 text-stone-600">{children}</div>}
      {action && <div class="mt-6">{action}</div>}
    </div>
  );
}
