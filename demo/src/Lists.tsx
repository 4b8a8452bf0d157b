/**
 * The two lists: the user's own space and the team's, each a live query through the
 * `byCreation` index, oldest first. An item whose change has not reached the server yet
 * says so; a device that has never synced says it is loading, not that the list is empty.
 */
import { useCollection, useQuery, useSyncStatus } from '@ferry/browser/react';
import type { Row } from '@ferry/client';
import { type FormEvent, useId, useRef, useState } from 'react';
import type { Item } from './ferry-options.ts';
import { ItemRow } from './ItemRow.tsx';
import { type DemoUser, personalSpace, TEAM_SPACE } from './session.ts';
import { MAX_TEXT_LENGTH, TextLimit } from './text-limit.tsx';
import { useUndoDelete } from './undo-delete.ts';

function randomKey(): string {
  return crypto.randomUUID();
}

/** Writes resolve once stored locally; a failure there (storage full…) is worth a message. */
function report(write: Promise<void>): void {
  write.catch((error: unknown) => {
    window.alert(`The change was not saved: ${error instanceof Error ? error.message : error}`);
  });
}

/** Oldest first, ties by key: the store answers it from the index, nothing is sorted here. */
const BY_CREATION = { index: 'byCreation', order: 'asc' } as const;

export function Lists(props: { user: DemoUser }) {
  return (
    <div className="lists">
      <ListView id="mine" title="My list" space={personalSpace(props.user)} user={props.user} />
      <ListView id="team" title="Team list" space={TEAM_SPACE} user={props.user} />
    </div>
  );
}

function ListView(props: { id: 'mine' | 'team'; title: string; space: string; user: DemoUser }) {
  const items = useCollection('items', { space: props.space });
  const { rows, loading } = useQuery(items, BY_CREATION);
  const status = useSyncStatus();
  const [text, setText] = useState('');
  const input = useRef<HTMLInputElement>(null);
  const limitId = useId();
  const undo = useUndoDelete(items);
  const sorted = rows ?? [];
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
  const remove = (row: Row<Item>, element: HTMLLIElement | null) => {
    // Focus moves on before the row goes: to the next item, else the previous, else the field.
    const neighbour = element?.nextElementSibling ?? element?.previousElementSibling;
    const target = neighbour?.querySelector<HTMLElement>('.text') ?? input.current;
    target?.focus();
    report(undo.remove(row));
  };

  return (
    <section className="list" data-testid={`list-${props.id}`} aria-label={props.title}>
      <h2>
        {props.title} <span className="count">{loading ? '' : `${open} open`}</span>
      </h2>
      <form onSubmit={add} className="add">
        <input
          ref={input}
          data-testid={`new-item-${props.id}`}
          value={text}
          onChange={(event) => setText(event.target.value)}
          placeholder={props.id === 'team' ? 'Add for the team…' : 'Add for yourself…'}
          aria-label={`New item in ${props.title}`}
          aria-describedby={limitId}
          maxLength={MAX_TEXT_LENGTH}
        />
        <button type="submit">Add</button>
      </form>
      <TextLimit id={limitId} length={text.length} />
      {undo.deleted && (
        <p className="notice" role="status" data-testid="undo-delete">
          <span>Deleted “{undo.deleted.value.text}”.</span>
          <button
            type="button"
            className="quiet"
            data-testid="undo"
            onClick={() => report(undo.undo())}
          >
            Undo
          </button>
        </p>
      )}
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
            <ItemRow
              key={row.key}
              row={row}
              items={items}
              showAuthor={props.id === 'team'}
              onDelete={remove}
              report={report}
            />
          ))}
        </ul>
      )}
    </section>
  );
}
