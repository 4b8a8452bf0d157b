/**
 * One item: its checkbox, its text (a button that opens the editor), its author in the
 * team list, whether it has reached the server, and delete.
 *
 * The checkbox writes the state the person sees after clicking (`done: checked`), never a
 * toggle of what this tab last read: two devices ticking the same item at once both mean
 * "done", and so it ends.
 */
import type { Collection, Row } from '@ferry/client';
import { useEffect, useRef, useState } from 'react';
import type { Item } from './ferry-options.ts';
import { ItemEditor } from './ItemEditor.tsx';

export function ItemRow(props: {
  row: Row<Item>;
  items: Collection<Item>;
  showAuthor: boolean;
  onDelete: (row: Row<Item>, element: HTMLLIElement | null) => void;
  report: (write: Promise<void>) => void;
}) {
  const { row, items, report } = props;
  const [editing, setEditing] = useState(false);
  const element = useRef<HTMLLIElement>(null);
  const editButton = useRef<HTMLButtonElement>(null);
  /** Set when the editor closes with Escape: focus goes back to the item, not to the page. */
  const refocus = useRef(false);
  useEffect(() => {
    if (!editing && refocus.current) {
      refocus.current = false;
      editButton.current?.focus();
    }
  }, [editing]);

  return (
    <li
      ref={element}
      data-testid="item"
      data-key={row.key}
      className={row.value.done ? 'done' : undefined}
    >
      <input
        type="checkbox"
        checked={row.value.done}
        aria-label={`Done: ${row.value.text}`}
        onChange={(event) => report(items.patch(row.key, { done: event.target.checked }))}
      />
      {editing ? (
        <ItemEditor
          current={row.value.text}
          onSave={(text) => report(items.patch(row.key, { text }))}
          onClose={(cancelled) => {
            refocus.current = cancelled;
            setEditing(false);
          }}
        />
      ) : (
        <button
          ref={editButton}
          type="button"
          className="text"
          title="Edit"
          data-testid="item-text"
          onClick={() => setEditing(true)}
        >
          <span className="body">{row.value.text}</span>
          {props.showAuthor && (
            <span className="by">
              {/* Read aloud as "Buy milk, added by alice", shown as a quiet name. */}
              <span className="visually-hidden">, added by </span>
              {row.value.by}
            </span>
          )}
          {row.pending && (
            <span
              className="unsent"
              data-testid="not-sent"
              title="Saved on this device; not on the server yet"
            >
              <span className="visually-hidden">, </span>not sent yet
            </span>
          )}
        </button>
      )}
      <button
        type="button"
        className="quiet delete"
        aria-label={`Delete ${row.value.text}`}
        data-testid="delete-item"
        onClick={() => props.onDelete(row, element.current)}
      >
        ×
      </button>
    </li>
  );
}
