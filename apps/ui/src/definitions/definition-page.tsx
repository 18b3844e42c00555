import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { WorkflowDef } from '@app/contracts';
import { fmtTime } from '../format';
import { Link, navigate } from '../router';
import { DefinitionDiagram } from './definition-diagram';
import { DefinitionEditor, useDraft } from './definition-editor';
import { duplicateOf, isRillDescriptorId, ownerOf, prettyJson, sampleInput, templateDefinition } from './definition-model';
import { defsApi } from './definitions-api';
import { RillDefinitionPage, RillYaml } from './rill-definition';
import { StartPanel } from './start-panel';
import { Tabs, useHashTab } from './tabs';
import './definitions.css';

const enc = encodeURIComponent;
/** Where "Duplicate" leaves the copy for the new-definition page. */
const DUPLICATE_KEY = 'baton.ui.newDefinition';

type Loaded = { kind: 'workflow'; def: WorkflowDef; versions: number[] } | { kind: 'rill' } | { kind: 'missing' };

const Crumbs = () => (
  <div className="crumbs">
    <Link to="/definitions">Definitions</Link> /
  </div>
);

/**
 * One workflow definition (`/ui/definitions/<name>[/<version>]`, the latest by default): its versions, a
 * diagram, the JSON editor, its Rill Flow YAML when it has one, and a start form. A name the metadata API
 * does not know that reads as `<business>:<feature>` is a Rill Flow DAG, shown from the descriptor store.
 */
export function DefinitionPage({ name, version }: { name: string; version?: number }) {
  const [loaded, setLoaded] = useState<Loaded | null>(null);
  const [error, setError] = useState<string | null>(null);
  const load = useCallback(async () => {
    try {
      // The versions first: an unknown name has none (a Rill Flow DAG's name is not a metadata name), and
      // asking for its definition would only be a 404 in the console.
      const summaries = await defsApi.versions(name);
      if (!summaries.length) {
        setLoaded({ kind: isRillDescriptorId(name) ? 'rill' : 'missing' });
        return;
      }
      const def = await defsApi.get(name, version);
      setLoaded({ kind: 'workflow', def, versions: summaries.map((s) => s.version).sort((a, b) => b - a) });
      setError(null);
    } catch (e) {
      setError((e as Error).message);
    }
  }, [name, version]);
  useEffect(() => {
    void load();
  }, [load]);

  if (error && !loaded)
    return (
      <section>
        <Crumbs />
        <div className="error">{error}</div>
        {version !== undefined && <Link to={`/definitions/${enc(name)}`}>The latest version of {name}</Link>}
      </section>
    );
  if (!loaded) return <div className="empty">Loading {name}…</div>;
  if (loaded.kind === 'rill') return <RillDefinitionPage id={name} version={version} />;
  if (loaded.kind === 'missing')
    return (
      <section>
        <Crumbs />
        <div className="empty">
          No workflow definition is named {name}. <Link to="/new-definition">Create one</Link>
        </div>
      </section>
    );
  return <WorkflowDefinition def={loaded.def} versions={loaded.versions} reload={load} error={error} />;
}

const TABS = ['diagram', 'json', 'yaml'] as const;
type Tab = (typeof TABS)[number];

function WorkflowDefinition({ def, versions, reload, error }: { def: WorkflowDef; versions: number[]; reload: () => Promise<void>; error: string | null }) {
  const stored = useMemo(() => prettyJson(def), [def]);
  const draft = useDraft(stored);
  const shown = useRef(stored);
  useEffect(() => {
    // Reloaded (after a save): the editor starts over from what is stored now.
    if (shown.current === stored) return;
    shown.current = stored;
    draft.reset(stored);
  }, [stored, draft]);
  const rill = def.rill;
  const [tab, setTab] = useHashTab(rill ? TABS : TABS.filter((t) => t !== 'yaml'), 'diagram');
  const [focus, setFocus] = useState<{ path: string; seq: number }>();
  const [starting, setStarting] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);
  const version = def.version ?? 1;
  const latest = version === versions[0];

  const leave = (to: string) => {
    if (draft.dirty && !window.confirm('Discard your unsaved changes to the JSON?')) return;
    navigate(to);
  };
  const remove = async () => {
    if (!window.confirm(`Delete ${def.name} v${version}? Executions already running keep their copy of it.`)) return;
    try {
      await defsApi.remove(def.name, version);
      const rest = versions.filter((v) => v !== version);
      navigate(rest.length ? `/definitions/${enc(def.name)}` : '/definitions');
      if (rest.length) await reload();
    } catch (e) {
      setNotice(`Delete failed — ${(e as Error).message}`);
    }
  };
  const duplicate = () => {
    const source = draft.parsed.ok && typeof draft.parsed.value === 'object' && draft.parsed.value ? (draft.parsed.value as WorkflowDef) : def;
    try {
      window.sessionStorage.setItem(DUPLICATE_KEY, prettyJson(duplicateOf(source)));
    } catch {
      // no session storage: the new page starts from its template
    }
    navigate('/new-definition');
  };
  const saved = (name: string, savedVersion: number) => {
    if (name === def.name && savedVersion === version) {
      void reload();
    } else navigate(`/definitions/${enc(name)}/${savedVersion}`);
  };

  const preview = draft.dirty && draft.parsed.ok;
  return (
    <section>
      <Crumbs />
      <header className="exec-header">
        <div>
          <h1>
            {def.name} <span className="muted">v{version}</span> {latest && <span className="badge latest">latest</span>}
          </h1>
          {def.description && <div>{def.description}</div>}
          <div className="meta">
            {ownerOf(def) && <span>owner {ownerOf(def)}</span>}
            <span>updated {fmtTime(def.updateTime || def.createTime)}</span>
            {(def.updatedBy || def.createdBy) && <span>by {def.updatedBy || def.createdBy}</span>}
            <span>{def.tasks?.length ?? 0} top-level tasks</span>
            {!!def.timeoutSeconds && (
              <span>
                timeout {def.timeoutSeconds} s ({def.timeoutPolicy ?? 'ALERT_ONLY'})
              </span>
            )}
            {def.restartable === false && <span>not restartable</span>}
            {def.flow === 'graph' && <span className="badge rill">graph flow</span>}
          </div>
        </div>
      </header>
      <div className="def-actions">
        <select value={version} onChange={(e) => leave(`/definitions/${enc(def.name)}/${e.target.value}${window.location.hash}`)} aria-label="Version">
          {versions.map((v) => (
            <option key={v} value={v}>
              v{v}
              {v === versions[0] ? ' (latest)' : ''}
            </option>
          ))}
        </select>
        <button className="primary" onClick={() => setStarting(!starting)}>
          Start…
        </button>
        <button onClick={duplicate} title="A new definition from this one's JSON (your edits included)">
          Duplicate…
        </button>
        <button className="danger" onClick={() => void remove()}>
          Delete v{version}…
        </button>
      </div>
      {(notice || error) && (
        <div className="notice" onClick={() => setNotice(null)}>
          {notice ?? error}
        </div>
      )}
      {starting && <StartPanel target={{ kind: 'workflow', name: def.name, version }} initialInput={sampleInput(def)} onClose={() => setStarting(false)} />}
      <Tabs<Tab>
        tabs={[['diagram', 'Diagram'], ['json', draft.dirty ? 'JSON ●' : 'JSON'], ...(rill ? [['yaml', 'Rill Flow YAML'] as const] : [])]}
        value={tab}
        onChange={setTab}
      />
      {tab === 'diagram' && (
        <DefinitionDiagram
          def={preview && draft.parsed.ok ? draft.parsed.value : def}
          note={preview ? 'Showing your unsaved JSON.' : undefined}
          preview={preview}
          onEdit={(path) => {
            setTab('json');
            setFocus({ path, seq: (focus?.seq ?? 0) + 1 });
          }}
        />
      )}
      {tab === 'json' && <DefinitionEditor draft={draft} current={{ name: def.name, version }} versions={versions} onSaved={saved} focus={focus} />}
      {tab === 'yaml' && rill && <RillYaml descriptorId={`${rill.descriptorId}:v${rill.version}`} />}
    </section>
  );
}

/** A new workflow definition (`/ui/new-definition`): the JSON editor from a template (or a duplicated definition). */
export function NewDefinitionPage() {
  const [initial] = useState(() => {
    try {
      return window.sessionStorage.getItem(DUPLICATE_KEY) ?? prettyJson(templateDefinition());
    } catch {
      return prettyJson(templateDefinition());
    }
  });
  useEffect(() => {
    try {
      window.sessionStorage.removeItem(DUPLICATE_KEY);
    } catch {
      // nothing kept
    }
  }, []);
  const draft = useDraft(initial);
  const [tab, setTab] = useHashTab(['json', 'diagram'] as const, 'json');
  const [focus, setFocus] = useState<{ path: string; seq: number }>();
  return (
    <section>
      <Crumbs />
      <h1>New workflow definition</h1>
      <p className="def-note">Conductor&apos;s WorkflowDef as JSON. Validate checks it against the registry without storing it; Save registers it (a name and version that exist are refused).</p>
      <Tabs
        tabs={[
          ['json', 'JSON'],
          ['diagram', 'Diagram'],
        ]}
        value={tab}
        onChange={setTab}
      />
      {tab === 'json' && <DefinitionEditor draft={draft} onSaved={(name, version) => navigate(`/definitions/${enc(name)}/${version}`)} focus={focus} />}
      {tab === 'diagram' && (
        <DefinitionDiagram
          def={draft.parsed.ok ? draft.parsed.value : {}}
          note={draft.parsed.ok ? undefined : 'The JSON does not parse: fix it in the JSON tab to see the diagram.'}
          preview={!draft.parsed.ok}
          onEdit={(path) => {
            setTab('json');
            setFocus({ path, seq: (focus?.seq ?? 0) + 1 });
          }}
        />
      )}
    </section>
  );
}
