/**
 * The longest item text, and what a field says as it nears it: a counter from
 * `WARN_FROM` characters, and at the limit a message that further typing is refused
 * (the field's `maxLength` refuses it), so text is never cut without a word.
 */
export const MAX_TEXT_LENGTH = 500;
const WARN_FROM = 400;

/** The counter and message below a text field; nothing while the text is short. */
export function TextLimit(props: { id: string; length: number }) {
  if (props.length < WARN_FROM) return null;
  const full = props.length >= MAX_TEXT_LENGTH;
  return (
    <p
      id={props.id}
      className={full ? 'limit full' : 'limit'}
      data-testid="text-limit"
      aria-live="polite"
    >
      {full
        ? `${MAX_TEXT_LENGTH} characters is the limit — nothing more can be typed.`
        : `${props.length} / ${MAX_TEXT_LENGTH} characters`}
    </p>
  );
}
