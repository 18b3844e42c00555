import { useMemo, useState } from 'react';
import { ApiError } from '../api';
import { navigate } from '../router';
import { editorProblems, workflowIdOfRillExecution, type ValidationItem } from './definition-model';
import { defsApi } from './definitions-api';
import { JsonEditor } from './json-editor';

/** What to start: a registered workflow by name and version, or a Rill Flow DAG by descriptor id (`biz:feature:vN`). */
export type StartTarget = { readonly kind: 'workflow'; readonly name: string; readonly version: number } | { readonly kind: 'rill'; readonly descriptorId: string };

/**
 * The start form: the input (a Rill Flow DAG's context) as JSON, and a correlation id; a started run opens
 * its execution page.
 */
export function StartPanel({ target, initialInput, onClose }: { target: StartTarget; initialInput: string; onClose: () => void }) {
  const [input, setInput] = useState(initialInput);
  const [correlationId, setCorrelationId] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<{ message: string; items: readonly ValidationItem[] } | null>(null);
  const { syntax, problems } = useMemo(() => editorProblems(input), [input]);

  const start = async () => {
    if (syntax) return setError({ message: `The input is not JSON: ${syntax.message} (line ${syntax.line})`, items: [] });
    const value = JSON.parse(input) as unknown;
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return setError({ message: 'The input must be a JSON object', items: [] });
    const body = value as Record<string, unknown>;
    setBusy(true);
    setError(null);
    try {
      const id =
        target.kind === 'workflow'
          ? String(await defsApi.start({ name: target.name, version: target.version, input: body, ...(correlationId.trim() ? { correlationId: correlationId.trim() } : {}) })).trim()
          : workflowIdOfRillExecution((await defsApi.rillSubmit(target.descriptorId, body)).execution_id);
      navigate(`/execution/${encodeURIComponent(id)}`);
    } catch (e) {
      setError({ message: (e as Error).message, items: e instanceof ApiError ? e.validationErrors : [] });
      setBusy(false);
    }
  };

  const what = target.kind === 'workflow' ? `${target.name} v${target.version}` : target.descriptorId;
  return (
    <div className="start-panel">
      <header>
        <h2>Start {what}</h2>
        <button onClick={onClose} aria-label="Close">
          ✕
        </button>
      </header>
      <JsonEditor value={input} onChange={setInput} problems={problems} compact onSave={() => void start()} label={target.kind === 'workflow' ? 'Workflow input' : 'Context'} />
      <div className="row">
        {target.kind === 'workflow' && (
          <label>
            Correlation id
            <input value={correlationId} onChange={(e) => setCorrelationId(e.target.value)} placeholder="optional" />
          </label>
        )}
        <button className="primary" disabled={busy} onClick={() => void start()}>
          {busy ? 'Starting…' : 'Start'}
        </button>
      </div>
      {error && (
        <div className="error">
          {error.message}
          {error.items.map((v, i) => (
            <div key={i}>
              {v.path ? `${v.path}: ` : ''}
              {v.message}
            </div>
          ))}
        </div>
      )}
    </div>
  );
}
