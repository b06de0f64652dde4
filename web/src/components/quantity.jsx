// quantity.jsx: a quantity stepper: − [n] +, a labelled number field between two buttons.
import { useEffect, useState } from 'preact/hooks';
import { useShop } from '../lib/shop.js';
import { Icon } from './icons.jsx';

/**
 * value: the number shown; onChange(n) gets a whole number within min..max, where max is at
 * most the most one cart line may hold (the shop's cart_max_quantity, also the default).
 * label: the accessible name ("Quantity" or "Quantity of Blue Mug").
 */
export function QuantityInput({ id, value, onChange, min = 1, max: wanted, label = 'Quantity', disabled = false, size = 'md' }) {
  const limit = useShop().limits.cart_max_quantity;
  const max = Math.min(wanted ?? limit, limit);
  const clamp = (n) => Math.max(min, Math.min(max, n));
  // What is typed is passed on as soon as it is a valid number (a form submitted right after
  // typing sends it); an empty or out-of-range entry is settled when the field is left.
  const [text, setText] = useState(String(value));
  useEffect(() => setText(String(value)), [value]);
  const typed = (t) => {
    setText(t);
    const n = Number(t);
    if (Number.isInteger(n) && n >= min && n <= max && n !== value) onChange(n);
  };
  const settle = () => {
    const n = parseInt(text, 10);
    const next = Number.isFinite(n) ? clamp(n) : value;
    setText(String(next));
    if (next !== value) onChange(next);
  };
  const h = size === 'sm' ? 'h-10' : 'h-12';
  const btn = `flex ${h} w-10 items-center justify-center text-stone-700 hover:bg-stone-100 disabled:opacity-40 disabled:hover:bg-transparent`;
  return (
    <div class={`inline-flex ${h} items-stretch overflow-hidden rounded-full border border-stone-300 bg-white`}>
      <button type="button" class={btn} onClick={() => onChange(clamp(value - 1))} disabled={disabled || value <= min}>
        <Icon name="minus" class="size-4" />
        <span class="sr-only">Decrease {label.toLowerCase()}</span>
      </button>
      <label for={id} class="sr-only">{label}</label>
      <input
        id={id}
        type="number"
        inputMode="numeric"
        min={min}
        max={max}
        value={text}
        disabled={disabled}
        onInput={(e) => typed(e.currentTarget.value)}
        onBlur={settle}
        class="w-12 border-x border-stone-200 text-center text-base font-medium tabular-nums [appearance:textfield] focus-visible:outline-offset-[-3px] [&::-webkit-inner-spin-button]:appearance-none [&::-webkit-outer-spin-button]:appearance-none"
      />
      <button type="button" class={btn} onClick={() => onChange(clamp(value + 1))} disabled={disabled || value >= max}>
        <Icon name="plus" class="size-4" />
        <span class="sr-only">Increase {label.toLowerCase()}</span>
      </button>
    </div>
  );
}
