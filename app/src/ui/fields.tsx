import {
  type InputHTMLAttributes,
  type ReactNode,
  type SelectHTMLAttributes,
  type TextareaHTMLAttributes,
  useId,
} from "react";

// Form controls always come with a visible or screen-reader label and an error slot tied to them.
interface FieldFrameProps {
  label: string;
  hideLabel?: boolean;
  error?: string | null;
  hint?: string;
  children: (ids: { id: string; describedBy: string | undefined }) => ReactNode;
}

function FieldFrame({ label, hideLabel, error, hint, children }: FieldFrameProps) {
  const id = useId();
  const hintId = hint ? `${id}-hint` : undefined;
  const errorId = error ? `${id}-error` : undefined;
  const describedBy = [hintId, errorId].filter(Boolean).join(" ") || undefined;
  return (
    <div className="field">
      <label htmlFor={id} className={hideLabel ? "sr-only" : "field-label"}>
        {label}
      </label>
      {children({ id, describedBy })}
      {hint && (
        <p id={hintId} className="field-hint">
          {hint}
        </p>
      )}
      {error && (
        <p id={errorId} className="field-error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}

interface TextFieldProps extends Omit<InputHTMLAttributes<HTMLInputElement>, "id"> {
  label: string;
  hideLabel?: boolean;
  error?: string | null;
  hint?: string;
}

export function TextField({ label, hideLabel, error, hint, ...input }: TextFieldProps) {
  return (
    <FieldFrame label={label} hideLabel={hideLabel} error={error} hint={hint}>
      {({ id, describedBy }) => (
        <input id={id} aria-describedby={describedBy} aria-invalid={error ? true : undefined} {...input} />
      )}
    </FieldFrame>
  );
}

interface TextAreaProps extends Omit<TextareaHTMLAttributes<HTMLTextAreaElement>, "id"> {
  label: string;
  hideLabel?: boolean;
  error?: string | null;
  hint?: string;
}

export function TextArea({ label, hideLabel, error, hint, ...input }: TextAreaProps) {
  return (
    <FieldFrame label={label} hideLabel={hideLabel} error={error} hint={hint}>
      {({ id, describedBy }) => (
        <textarea id={id} aria-describedby={describedBy} aria-invalid={error ? true : undefined} {...input} />
      )}
    </FieldFrame>
  );
}

export interface Option {
  value: string;
  label: string;
}

interface SelectFieldProps extends Omit<SelectHTMLAttributes<HTMLSelectElement>, "id"> {
  label: string;
  hideLabel?: boolean;
  error?: string | null;
  hint?: string;
  options: Option[];
}

export function SelectField({ label, hideLabel, error, hint, options, ...select }: SelectFieldProps) {
  return (
    <FieldFrame label={label} hideLabel={hideLabel} error={error} hint={hint}>
      {({ id, describedBy }) => (
        <select id={id} aria-describedby={describedBy} aria-invalid={error ? true : undefined} {...select}>
          {options.map((option) => (
            <option key={option.value} value={option.value}>
              {option.label}
            </option>
          ))}
        </select>
      )}
    </FieldFrame>
  );
}

interface CheckboxFieldProps extends Omit<InputHTMLAttributes<HTMLInputElement>, "id" | "type"> {
  label: string;
  error?: string | null;
  hint?: string;
}

// A checkbox reads best with its label after it, so it has its own frame.
export function CheckboxField({ label, error, hint, ...input }: CheckboxFieldProps) {
  const id = useId();
  const hintId = hint ? `${id}-hint` : undefined;
  const errorId = error ? `${id}-error` : undefined;
  return (
    <div className="field field-checkbox">
      <div className="checkbox-row">
        <input
          id={id}
          type="checkbox"
          aria-describedby={[hintId, errorId].filter(Boolean).join(" ") || undefined}
          aria-invalid={error ? true : undefined}
          {...input}
        />
        <label htmlFor={id}>{label}</label>
      </div>
      {hint && (
        <p id={hintId} className="field-hint">
          {hint}
        </p>
      )}
      {error && (
        <p id={errorId} className="field-error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}

interface CheckboxGroupProps {
  legend: string;
  options: Option[];
  value: string[];
  onChange: (value: string[]) => void;
  error?: string | null;
  hint?: string;
  disabled?: boolean;
}

// Several choices under one name (groups of an agent, a multi-select field, token scopes).
export function CheckboxGroup({
  legend,
  options,
  value,
  onChange,
  error,
  hint,
  disabled,
}: CheckboxGroupProps) {
  const id = useId();
  const toggle = (option: string, checked: boolean) =>
    onChange(checked ? [...value, option] : value.filter((v) => v !== option));
  return (
    <fieldset
      className="field checkbox-group"
      aria-describedby={
        [hint ? `${id}-hint` : "", error ? `${id}-error` : ""].filter(Boolean).join(" ") || undefined
      }
      disabled={disabled}
    >
      <legend className="field-label">{legend}</legend>
      {options.length === 0 && <p className="field-hint">None to choose from yet.</p>}
      {options.map((option) => (
        <label key={option.value} className="checkbox-row">
          <input
            type="checkbox"
            checked={value.includes(option.value)}
            onChange={(event) => toggle(option.value, event.target.checked)}
          />
          {option.label}
        </label>
      ))}
      {hint && (
        <p id={`${id}-hint`} className="field-hint">
          {hint}
        </p>
      )}
      {error && (
        <p id={`${id}-error`} className="field-error" role="alert">
          {error}
        </p>
      )}
    </fieldset>
  );
}

interface RadioGroupProps {
  legend: string;
  options: Option[];
  value: string;
  onChange: (value: string) => void;
}

// One choice out of a few, all visible at once (how an invited agent gets their password).
export function RadioGroup({ legend, options, value, onChange }: RadioGroupProps) {
  const name = useId();
  return (
    <fieldset className="field checkbox-group">
      <legend className="field-label">{legend}</legend>
      {options.map((option) => (
        <label key={option.value} className="checkbox-row">
          <input
            type="radio"
            name={name}
            value={option.value}
            checked={value === option.value}
            onChange={() => onChange(option.value)}
          />
          {option.label}
        </label>
      ))}
    </fieldset>
  );
}
