/**
 * Editing an item's text in place. The editor remembers the text it started from: when the
 * item changes on another device meanwhile, it says so and waits for the person to keep
 * their version or take the other one, instead of overwriting it on Enter or blur.
 */
import { type FormEvent, useId, useRef, useState } from 'react';
import { MAX_TEXT_LENGTH, TextLimit } from './text-limit.tsx';

export function ItemEditor(props: {
  /** The item's text as stored now (it may change while editing). */
  current: string;
  /** Saves `text` (already trimmed, non-empty, different from `current`). */
  onSave: (text: string) => void;
  /** Closes the editor; `cancelled` when the person pressed Escape. */
  onClose: (cancelled: boolean) => void;
}) {
  const { current } = props;
  const [draft, setDraft] = useState(current);
  const [base, setBase] = useState(current);
  const limitId = useId();
  /** Once closed, a blur that follows (the field leaving the page) saves nothing. */
  const closed = useRef(false);
  const close = (cancelled: boolean) => {
    closed.current = true;
    props.onClose(cancelled);
  };
  const changedElsewhere = current !== base && current !== draft.trim();

  const save = () => {
    if (closed.current) return;
    const trimmed = draft.trim();
    if (trimmed !== '' && trimmed !== current) props.onSave(trimmed);
    close(false);
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    // Nothing is overwritten until the person has chosen.
    if (!changedElsewhere) save();
  };
  const takeTheirs = () => {
    setDraft(current);
    setBase(current);
  };

  return (
    <form
      onSubmit={submit}
      className="edit"
      onBlur={(event) => {
        // Moving to the notice's buttons keeps the editor open; leaving it saves.
        if (event.currentTarget.contains(event.relatedTarget as Node | null)) return;
        if (!changedElsewhere) save();
      }}
    >
      <input
        value={draft}
        onChange={(event) => setDraft(event.target.value)}
        onKeyDown={(event) => {
          if (event.key === 'Escape') close(true);
        }}
        aria-label="Edit text"
        aria-describedby={limitId}
        maxLength={MAX_TEXT_LENGTH}
        // biome-ignore lint/a11y/noAutofocus: the field appears because the user asked to edit
        autoFocus
      />
      <TextLimit id={limitId} length={draft.length} />
      {changedElsewhere && (
        <div className="notice conflict" role="alert" data-testid="changed-elsewhere">
          <span>Changed on another device to “{current}”. Keep yours or take theirs?</span>
          <span className="choices">
            <button type="button" data-testid="keep-mine" onClick={save}>
              Keep yours
            </button>
            <button type="button" className="quiet" data-testid="take-theirs" onClick={takeTheirs}>
              Take theirs
            </button>
          </span>
        </div>
      )}
    </form>
  );
}
