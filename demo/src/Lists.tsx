/**
 * The two lists: the user's own space and the team's, each a live query on `items`. An
 * item whose change has not reached the server yet says so; a device that has never
 * synced says it is loading, not that the list is empty.
 */
import { useCollection, useQuery, useSyncStatus } from '@ferry/browser/react';
import type { Collection, Row } from '@ferry/client';
import { type FormEvent, useState } from 'react';
import type { Item } from './ferry-options.ts';
import { type DemoUser, personalSpace, TEAM_SPACE } from './session.ts';

function randomKey(): string {
  return crypto.randomUUID();
}

/** Writes resolve once stored locally; a failure there (storage full…) is worth a message. */
function report(write: Promise<void>): void {
  write.catch((error: unknown) => {
    window.alert(`The change was not saved: ${error instanceof Error ? error.message : error}`);
  });
}

export function Lists(props: { user: DemoUser }) {
  return (
    <div className="lists">
      <ListView id="mine" title="My list" space={personalSpace(props.user)} user={props.user} />
      <ListView id="team" title="Team list" space={TEAM_SPACE} user={props.user} />
    </div>
  );
}

function byCreation(a: Row<Item>, b: Row<Item>): number {
  return a.value.createdAt - b.value.createdAt || a.key.localeCompare(b.key);
}

function ListView(props: { id: 'mine' | 'team'; title: string; space: string; user: DemoUser }) {
  const items = useCollection('items', { space: props.space });
  const { rows, loading } = useQuery(items);
  const status = useSyncStatus();
  const [text, setText] = useState('');
  const sorted = rows ? [...rows].sort(byCreation) : [];
  const open = sorted.filter((row) => !row.value.done).length;

  const add = (event: FormEvent) => {
    event.preventDefault();
    const trimmed = text.trim();
    if (trimmed === '') return;
    report(
      items.put(randomKey(), { text: trimmed, done: false, createdAt: Date.now(), by: props.user }),
    );
    setText('');
  };

  return (
    <section className="list" data-testid={`list-${props.id}`} aria-label={props.title}>
      <h2>
        {props.title} <span className="count">{loading ? '' : `${open} open`}</span>
      </h2>
      <form onSubmit={add} className="add">
        <input
          data-testid={`new-item-${props.id}`}
          value={text}
          onChange={(event) => setText(event.target.value)}
          placeholder={props.id === 'team' ? 'Add for the team…' : 'Add for yourself…'}
          aria-label={`New item in ${props.title}`}
          maxLength={500}
        />
        <button type="submit">Add</button>
      </form>
      {loading ? (
        <p className="empty">Loading…</p>
      ) : sorted.length === 0 && status.lastSuccessAt === null ? (
        // Never synced: the list is not empty, it is not here yet.
        <p className="empty" data-testid="list-loading">
          {status.phase === 'loading' ? 'Loading…' : 'Not downloaded yet.'}
        </p>
      ) : sorted.length === 0 ? (
        <p className="empty">Nothing here yet.</p>
      ) : (
        <ul>
          {sorted.map((row) => (
            <ItemRow key={row.key} row={row} items={items} showAuthor={props.id === 'team'} />
          ))}
        </ul>
      )}
    </section>
  );
}

function ItemRow(props: { row: Row<Item>; items: Collection<Item>; showAuthor: boolean }) {
  const { row, items } = props;
  const [editing, setEditing] = useState<string | null>(null);

  const save = (event: FormEvent) => {
    event.preventDefault();
    const trimmed = editing?.trim() ?? '';
    if (trimmed !== '' && trimmed !== row.value.text)
      report(items.patch(row.key, { text: trimmed }));
    setEditing(null);
  };

  return (
    <li data-testid="item" className={row.value.done ? 'done' : undefined}>
      <input
        type="checkbox"
        checked={row.value.done}
        aria-label={`Done: ${row.value.text}`}
        onChange={() => report(items.patch(row.key, { done: !row.value.done }))}
      />
      {editing === null ? (
        <button
          type="button"
          className="text"
          title="Edit"
          onClick={() => setEditing(row.value.text)}
        >
          {row.value.text}
          {props.showAuthor && <span className="by">{row.value.by}</span>}
          {row.pending && (
            <span
              className="unsent"
              data-testid="not-sent"
              title="Saved on this device; not on the server yet"
            >
              not sent yet
            </span>
          )}
        </button>
      ) : (
        <form onSubmit={save} className="edit">
          <input
            value={editing}
            onChange={(event) => setEditing(event.target.value)}
            onBlur={save}
            onKeyDown={(event) => {
              if (event.key === 'Escape') setEditing(null);
            }}
            aria-label="Edit text"
            maxLength={500}
            // biome-ignore lint/a11y/noAutofocus: the field appears because the user asked to edit
            autoFocus
          />
        </form>
      )}
      <button
        type="button"
        className="quiet delete"
        aria-label={`Delete ${row.value.text}`}
        onClick={() => report(items.delete(row.key))}
      >
        ×
      </button>
    </li>
  );
}
