import { useEffect, useMemo, useState } from 'react';
import { Background, Controls, MarkerType, MiniMap, ReactFlow, type Edge, type Node } from '@xyflow/react';
import ELK from 'elkjs/lib/elk-api.js';
// ELK's layout runs in a Web Worker (its own classic-script build, emitted as an asset): laying out a
// 1,000-task execution takes the worker a while and the page none of it.
import elkWorkerUrl from 'elkjs/lib/elk-worker.min.js?url';
import '@xyflow/react/dist/style.css';
import type { Dag, DagNode } from './model/dag';

const elk = new ELK({ workerUrl: elkWorkerUrl });
const W = 190;
const H = 46;
const SMALL = 28;

const sizeOf = (n: DagNode) => (n.kind === 'start' || n.kind === 'end' || n.kind === 'loop-end' ? { width: n.kind === 'loop-end' ? W : 70, height: SMALL } : { width: W, height: H });

/** Positions by node id, from ELK's layered layout; recomputed only when the graph's shape changes. */
function useLayout(dag: Dag): { pos: Map<string, { x: number; y: number }> | null; error: string | null } {
  const shape = useMemo(() => `${dag.nodes.map((n) => n.id).join('|')}#${dag.edges.map((e) => e.id).join('|')}`, [dag]);
  const [layout, setLayout] = useState<{ shape: string; pos: Map<string, { x: number; y: number }> } | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    const graph = {
      id: 'root',
      layoutOptions: {
        'elk.algorithm': 'layered',
        'elk.direction': 'DOWN',
        'elk.layered.spacing.nodeNodeBetweenLayers': '40',
        'elk.spacing.nodeNode': '24',
        'elk.layered.nodePlacement.strategy': 'BRANDES_KOEPF',
      },
      children: dag.nodes.map((n) => ({ id: n.id, ...sizeOf(n) })),
      edges: dag.edges.map((e) => ({ id: e.id, sources: [e.source], targets: [e.target] })),
    };
    elk.layout(graph).then(
      (res) => {
        if (!live) return;
        const pos = new Map<string, { x: number; y: number }>();
        for (const c of res.children ?? []) pos.set(c.id, { x: c.x ?? 0, y: c.y ?? 0 });
        setLayout({ shape, pos });
        setError(null);
      },
      (e: unknown) => live && setError(e instanceof Error ? e.message : String(e)),
    );
    return () => {
      live = false;
    };
    // `shape` stands for the graph's structure: a status change must not lay the graph out again.
  }, [shape]);
  return { pos: layout && layout.shape === shape ? layout.pos : (layout?.pos ?? null), error };
}

function labelOf(n: DagNode) {
  const extra = [n.kind === 'loop' && n.iterations ? `${n.iterations} iterations` : '', n.iterationRuns?.length ? `iteration ${n.iterationRuns[n.iterationRuns.length - 1].iteration}` : '', n.attempts > 1 ? `${n.attempts} attempts` : '', n.subWorkflowId ? 'sub-workflow ↗' : '']
    .filter(Boolean)
    .join(' · ');
  if (n.kind === 'start' || n.kind === 'end') return <div className="node-title">{n.label}</div>;
  if (n.kind === 'branch-group')
    return (
      <div title={`${n.groupSize} dynamic branches, all ${n.status}: the Tasks tab lists each`}>
        <div className="node-title">{n.label}</div>
        <div className="node-sub">
          {n.taskType} · {n.groupSize} {n.status.toLowerCase().replace(/_/g, ' ')}
        </div>
      </div>
    );
  return (
    <div>
      <div className="node-title" title={n.ref}>
        {n.kind === 'loop-end' ? n.label : n.ref}
      </div>
      {n.kind !== 'loop-end' && (
        <div className="node-sub">
          {n.taskType}
          {extra ? ` · ${extra}` : ''}
        </div>
      )}
    </div>
  );
}

export function DagView({ dag, selected, onSelect }: { dag: Dag; selected?: string; onSelect: (node: DagNode) => void }) {
  const { pos, error } = useLayout(dag);
  const byId = useMemo(() => new Map(dag.nodes.map((n) => [n.id, n])), [dag]);
  const nodes: Node[] = useMemo(
    () =>
      dag.nodes.map((n) => ({
        id: n.id,
        position: pos?.get(n.id) ?? { x: 0, y: 0 },
        data: { label: labelOf(n) },
        className: ['dag-node', `kind-${n.kind}`, `status-${n.status}`, n.greyed ? 'greyed' : '', n.dynamic ? 'dynamic' : '', n.id === selected ? 'selected-node' : ''].filter(Boolean).join(' '),
        style: sizeOf(n),
        draggable: false,
        connectable: false,
      })),
    [dag, pos, selected],
  );
  const edges: Edge[] = useMemo(
    () =>
      dag.edges.map((e) => ({
        id: e.id,
        source: e.source,
        target: e.target,
        label: e.label,
        className: e.greyed ? 'edge-greyed' : e.taken ? 'edge-taken' : 'edge-pending',
        markerEnd: { type: MarkerType.ArrowClosed },
      })),
    [dag],
  );
  if (!pos) return <div className="dag placeholder">{error ? `The diagram could not be laid out (${error}): the Tasks and Timeline tabs still show every task.` : `Laying out ${dag.nodes.length} nodes…`}</div>;
  return (
    <div className="dag">
      <ReactFlow
        nodes={nodes}
        edges={edges}
        fitView
        // A small graph at its natural size; a wide one (a fan of 50, 1,000 tasks) no smaller than readable — the minimap shows the rest.
        fitViewOptions={{ maxZoom: 1, minZoom: 0.35 }}
        minZoom={0.05}
        onlyRenderVisibleElements={nodes.length > 200}
        nodesDraggable={false}
        nodesConnectable={false}
        onNodeClick={(_, node) => {
          const n = byId.get(node.id);
          if (n) onSelect(n);
        }}
        proOptions={{ hideAttribution: true }}
      >
        <Background />
        <Controls showInteractive={false} />
        {nodes.length > 30 && <MiniMap pannable zoomable nodeClassName={(n) => n.className ?? ''} />}
      </ReactFlow>
    </div>
  );
}
