// form.jsx: labelled fields that show the API's message for their own field (problem
// errors[].field), a form-level alert for everything else, and a busy submit button.
import { useEffect, useRef } from 'preact/hooks';
import { Spinner } from './states.jsx';
import { Icon } from './icons.jsx';

let idSeq = 0;
const useId = (prefix) => {
  const ref = useRef(null);
  if (!ref.current) ref.current = `${prefix}-${++idSeq}`;
  return ref.current;
};

/**
 * <Field label="Email" name="email" error={err?.fields.email} hint="..." {...inputProps} />
 * The input gets aria-invalid and is described by the hint and the error.
 */
export function Field({ label, name, error, hint, class: cls = '', inputClass = '', ...input }) {
  const id = useId(`f-${name}`);
  const hintId = hint ? `${id}-hint` : null;
  const errId = error ? `${id}-error` : null;
  const described = [hintId, errId].filter(Boolean).join(' ') || undefined;
  return (
    <div class={cls}>
      <label for={id} class="block text-sm font-medium text-stone-800">
        {label}
      </label>
      <input
        id={id}
        name={name}
        class={`input mt-1.5 ${error ? 'input-invalid' : ''} ${inputClass}`}
        aria-invalid={error ? 'true' : undefined}
        aria-describedby={described}
        {...input}
      />
      {hint && !error && (
        <p id={hintId} class="mt-1.5 text-sm text-stone-600">
          {hint}
        </p>
      )}
      {error && (
        <p id={errId} class="mt-1.5 flex items-start gap-1.5 text-sm font-medium text-rose-700" data-field-error={name}>
          <Icon name="alert" class="mt-0.5 size-4 shrink-0" />
          <span>{error}</span>
        </p>
      )}
    </div>
  );
}

/**
 * The form's own message: an ApiError whose problem names no field this form shows
 * (`shown` lists the fields the form displays itself). Focuses itself so it is announced.
 */
export function FormError({ error, shown = [] }) {
  const ref = useRef(null);
  const fields = error ? Object.keys(error.fields || {}) : [];
  const visible = error && (fields.length === 0 || fields.some((f) => !shown.includes(f)));
  useEffect(() => {
    if (visible && ref.current) ref.current.focus();
  }, [error, visible]);
  if (!visible) return null;
  const extra = fields.filter((f) => !shown.includes(f)).map((f) => error.fields[f]);
  return (
    <div ref={ref} tabIndex={-1} role="alert" class="flex gap-3 rounded-xl border border-rose-200 bg-rose-50 p-4 text-sm text-rose-800">
      <Icon name="alert" class="size-5 shrink-0" />
      <div>
        <p class="font-medium">{error.message}</p>
        {extra.length > 0 && (
          <ul class="mt-1 list-disc pl-4">
            {extra.map((m) => (
              <li key={m}>{m}</li>
            ))}
          </ul>
        )}
      </div>
    </div>
  );
}

/** A submit button that says it is busy and cannot be pressed twice. */
export function SubmitButton({ busy, children, class: cls = 'btn-primary w-full', busyLabel = 'Please wait…' }) {
  return (
    <button type="submit" class={cls} disabled={busy} aria-disabled={busy ? 'true' : undefined}>
      {busy ? (
        <>
          <Spinner label={busyLabel} class="size-4 text-white" /> <span aria-hidden="true">{busyLabel}</span>
        </>
      ) : (
        children
      )}
    </button>
  );
}

/** A quiet success line (role=status, announced politely). */
export function Notice({ children }) {
  if (!children) return null;
  return (
    <p role="status" class="flex items-center gap-2 rounded-xl bg-emerald-50 px-4 py-3 text-sm font-medium text-emerald-900">
      <Icon name="check" class="size-4" />
      {children}
    </p>
  );
}
