import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { ApiError } from '../api';
import { locateJsonPath } from '../model/json-locate';
import { editorProblems, identityOf, nextVersion, prettyJson, type ValidationItem } from './definition-model';
import { defsApi } from './definitions-api';
import { JsonEditor, type JsonEditorHandle } from './json-editor';

/** The JSON being edited, what it started from, and the API's last verdict on it. */
export interface Draft {
  readonly text: string;
  readonly setText: (text: string) => void;
  readonly original: string;
  /** Starts over from a (new) stored text. */
  readonly reset: (original?: string) => void;
  readonly dirty: boolean;
  /** The API's validation errors and the text they were about. */
  readonly server?: { readonly text: string; readonly errors: readonly ValidationItem[] };
  readonly setServer: (server: Draft['server']) => void;
  /** The text parsed, when it is JSON. */
  readonly parsed: { readonly ok: true; readonly value: unknown } | { readonly ok: false };
}

/** A draft of a definition's JSON; while it has unsaved changes, leaving the page asks first. */
export function useDraft(initial: string): Draft {
  const [original, setOriginal] = useState(initial);
  const [text, setText] = useState(initial);
  const [server, setServer] = useState<Draft['server']>();
  const dirty = text !== original;
  useEffect(() => {
    if (!dirty) return;
    const warn = (e: BeforeUnloadEvent) => e.preventDefault();
    window.addEventListener('beforeunload', warn);
    return () => window.removeEventListener('beforeunload', warn);
  }, [dirty]);
  const reset = useCallback(
    (next?: string) => {
      if (next !== undefined) setOriginal(next);
      setText(next ?? original);
      setServer(undefined);
    },
    [original],
  );
  const parsed = useMemo((): Draft['parsed'] => {
    try {
      return { ok: true, value: JSON.parse(text) as unknown };
    } catch {
      return { ok: false };
    }
  }, [text]);
  return { text, setText, original, reset, dirty, server, setServer, parsed };
}

type Status = { kind: 'ok' | 'error' | 'busy'; text: string } | null;

/**
 * The JSON tab: the editor with Validate, Save (and Save as new version), Format and Reset. The API's
 * validation errors are shown on their lines; a syntax error is shown as it is typed.
 */
export function DefinitionEditor({
  draft,
  current,
  versions,
  onSaved,
  focus,
}: {
  draft: Draft;
  /** The stored definition being edited (absent on the new-definition page). */
  current?: { readonly name: string; readonly version: number };
  versions?: readonly number[];
  onSaved: (name: string, version: number) => void;
  /** A path to put the caret on (a task picked in the diagram); `seq` tells one request from the next. */
  focus?: { readonly path: string; readonly seq: number };
}) {
  const isNew = !current;
  const editor = useRef<JsonEditorHandle>(null);
  const [status, setStatus] = useState<Status>(null);
  const { syntax, problems } = useMemo(() => editorProblems(draft.text, draft.server), [draft.text, draft.server]);
  const busy = status?.kind === 'busy';
  useEffect(() => {
    if (!focus) return;
    const at = locateJsonPath(draft.text, focus.path);
    if (at) editor.current?.jumpTo(at.line, at.column);
    // Only a new request moves the caret, not every edit.
  }, [focus?.seq]);

  /** The text as a definition, or undefined (and the syntax error shown) when it is not JSON. */
  const definition = (): Record<string, unknown> | undefined => {
    if (syntax) {
      setStatus({ kind: 'error', text: `Not JSON: ${syntax.message} (line ${syntax.line})` });
      editor.current?.jumpTo(syntax.line, syntax.column);
      return undefined;
    }
    return JSON.parse(draft.text) as Record<string, unknown>;
  };

  const submit = async (label: string, def: Record<string, unknown>, send: (def: unknown) => Promise<void>): Promise<boolean> => {
    const checked = draft.text;
    setStatus({ kind: 'busy', text: `${label}…` });
    try {
      await send(def);
      draft.setServer(undefined);
      return true;
    } catch (e) {
      const errors = e instanceof ApiError ? e.validationErrors : [];
      if (errors.length) {
        draft.setServer({ text: checked, errors });
        const first = editorProblems(checked, { text: checked, errors }).problems.find((p) => p.line !== undefined);
        if (first?.line !== undefined) editor.current?.jumpTo(first.line, first.column);
        setStatus({ kind: 'error', text: `${label}: ${errors.length} problem${errors.length > 1 ? 's' : ''} (marked in the text)` });
      } else {
        draft.setServer(undefined);
        setStatus({ kind: 'error', text: `${label} failed — ${(e as Error).message}` });
      }
      return false;
    }
  };

  const validate = async () => {
    const def = definition();
    if (def && (await submit('Validate', def, defsApi.validate))) setStatus({ kind: 'ok', text: 'Valid ✓' });
  };

  const save = async (asNew = false) => {
    const parsed = definition();
    if (!parsed) return;
    const def = asNew ? { ...parsed, version: nextVersion(versions ?? []) } : parsed;
    const { name, version = 1 } = identityOf(def);
    // Only the version this page shows is replaced; a JSON renamed or renumbered is stored as a new one (409 if it exists).
    const overwrite = !asNew && !!current && name === current.name && version === current.version;
    if (await submit(asNew ? `Save as v${version}` : 'Save', def, (d) => defsApi.save(d, overwrite))) {
      setStatus({ kind: 'ok', text: `Saved ${name} v${version} ✓` });
      if (name) onSaved(name, version);
    }
  };

  /** An edit: the last verdict's summary goes (its marks stay, as stale, on the lines they were about). */
  const edit = (text: string) => {
    draft.setText(text);
    if (status && status.kind !== 'busy') setStatus(null);
  };

  const format = () => {
    if (definition()) draft.setText(prettyJson(JSON.parse(draft.text)));
  };

  return (
    <div className="def-editor">
      <div className="je-toolbar">
        <button disabled={busy} onClick={() => void validate()}>
          Validate
        </button>
        <button className="primary" disabled={busy} onClick={() => void save()} title={isNew ? 'Register this definition (Ctrl+S)' : 'Store this JSON as the version it names, replacing it (Ctrl+S)'}>
          Save
        </button>
        {!isNew && (
          <button disabled={busy} onClick={() => void save(true)} title="Store this JSON as a new version, after the newest">
            Save as v{nextVersion(versions ?? [])}
          </button>
        )}
        <button disabled={busy} onClick={format}>
          Format
        </button>
        <button disabled={busy || (!draft.dirty && !draft.server)} onClick={() => { draft.reset(); setStatus(null); }}>
          Reset
        </button>
        {status && <span className={`je-status st-${status.kind}`}>{status.text}</span>}
        {draft.dirty && <span className="dirty">● unsaved changes</span>}
      </div>
      <JsonEditor ref={editor} value={draft.text} onChange={edit} problems={problems} onSave={() => void save()} label="Workflow definition JSON" />
    </div>
  );
}
