import { useEffect, useMemo, useState } from 'react';
import { fmtTime, Json } from '../format';
import { Link, navigate } from '../router';
import { DefinitionDiagram } from './definition-diagram';
import { rillDiagramDef } from './definition-model';
import { defsApi, type RillDescriptor, type RillVersion } from './definitions-api';
import { StartPanel } from './start-panel';
import { Tabs, useHashTab } from './tabs';

const enc = encodeURIComponent;
const TABS = ['diagram', 'yaml', 'parsed'] as const;
type Tab = (typeof TABS)[number];

/** A Rill Flow DAG's YAML as registered, read-only: `<business>:<feature>:v<version>`. */
export function RillYaml({ descriptorId }: { descriptorId: string }) {
  const [descriptor, setDescriptor] = useState<RillDescriptor | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    defsApi.rillDescriptor(descriptorId).then(setDescriptor, (e: Error) => setError(e.message));
  }, [descriptorId]);
  if (error) return <div className="error">{error}</div>;
  if (!descriptor) return <div className="empty">Loading {descriptorId}…</div>;
  return <pre className="json yaml">{descriptor.descriptor}</pre>;
}

/**
 * A Rill Flow DAG registered through Baton's Rill Flow API (`/ui/definitions/<business>:<feature>[/<version>]`):
 * not a workflow definition of the metadata API, so shown from the descriptor store — its versions and
 * aliases, a diagram of its tasks, its YAML as written and its parse; started through `/flow/submit.json`.
 */
export function RillDefinitionPage({ id, version }: { id: string; version?: number }) {
  const [versions, setVersions] = useState<RillVersion[] | null>(null);
  const [descriptor, setDescriptor] = useState<RillDescriptor | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [tab, setTab] = useHashTab(TABS, 'diagram');
  const [starting, setStarting] = useState(false);

  useEffect(() => {
    let live = true;
    (async () => {
      const all = await defsApi.rillVersions(id);
      if (!all.length) throw new Error(`No Rill Flow DAG ${id}`);
      const chosen = version ?? all.find((v) => v.aliases.includes('release'))?.version ?? Math.max(...all.map((v) => v.version));
      const found = await defsApi.rillDescriptor(`${id}:v${chosen}`);
      if (!live) return;
      setVersions(all);
      setDescriptor(found);
    })().catch((e: Error) => live && setError(e.message));
    return () => {
      live = false;
    };
  }, [id, version]);

  const diagram = useMemo(() => (descriptor ? rillDiagramDef(descriptor.dag) : undefined), [descriptor]);
  const crumbs = (
    <div className="crumbs">
      <Link to="/definitions">Definitions</Link> / Rill Flow DAGs
    </div>
  );
  if (error)
    return (
      <section>
        {crumbs}
        <div className="error">{error}</div>
      </section>
    );
  if (!descriptor || !versions || !diagram) return <div className="empty">Loading {id}…</div>;
  const current = versions.find((v) => v.version === descriptor.version);
  const newest = Math.max(...versions.map((v) => v.version));

  return (
    <section>
      {crumbs}
      <header className="exec-header">
        <div>
          <h1>
            {id} <span className="muted">v{descriptor.version}</span> <span className="badge rill">Rill Flow DAG</span>{' '}
            {current?.aliases.map((a) => (
              <span key={a} className="badge alias">
                {a}
              </span>
            ))}
          </h1>
          <div className="meta">
            <span>registered {fmtTime(descriptor.create_time ?? current?.create_time)}</span>
            <span>{diagram.tasks.length} top-level tasks</span>
            <span>edit the YAML through /flow/bg/manage/descriptor/add_descriptor.json (a new version)</span>
          </div>
        </div>
      </header>
      <div className="def-actions">
        <select value={descriptor.version} onChange={(e) => navigate(`/definitions/${enc(id)}/${e.target.value}${window.location.hash}`)} aria-label="Version">
          {[...versions]
            .sort((a, b) => b.version - a.version)
            .map((v) => (
              <option key={v.version} value={v.version}>
                v{v.version}
                {v.aliases.length ? ` · ${v.aliases.join(', ')}` : ''}
                {v.version === newest ? ' (newest)' : ''}
              </option>
            ))}
        </select>
        <button className="primary" onClick={() => setStarting(!starting)}>
          Start…
        </button>
      </div>
      {starting && <StartPanel target={{ kind: 'rill', descriptorId: `${id}:v${descriptor.version}` }} initialInput="{}" onClose={() => setStarting(false)} />}
      <Tabs<Tab>
        tabs={[
          ['diagram', 'Diagram'],
          ['yaml', 'Rill Flow YAML'],
          ['parsed', 'Parsed DAG'],
        ]}
        value={tab}
        onChange={setTab}
      />
      {tab === 'diagram' && <DefinitionDiagram def={diagram} note={diagram.tasks.some((t) => t.type === 'RILL_CHOICE' || t.type === 'RILL_FOREACH') ? 'Choice and foreach bodies run as child workflows: open a task to see them.' : undefined} />}
      {tab === 'yaml' && <pre className="json yaml">{descriptor.descriptor}</pre>}
      {tab === 'parsed' && <Json value={descriptor.dag} />}
    </section>
  );
}
