import { useEffect, useState } from 'react';
import type { Workflow } from '@app/contracts';
import { isTerminalWorkflow } from './model/execution-types';

export type LiveState = 'live' | 'reconnecting' | 'off';

/**
 * Follows a running workflow over the gateway's server-sent events (`GET /api/workflow/{id}/stream`): each
 * `workflow` event is the whole workflow after a change, pushed by the server when it changes — no polling.
 * `enabled` while the workflow runs: the stream closes once an event shows it ended (and opens again when an
 * action makes it run again). The browser's EventSource reconnects on its own after a dropped connection
 * (`reconnecting`); `off` while the workflow runs means it gave up, and the page says so. A new
 * `generation` (the page's Refresh) opens it again.
 */
export function useWorkflowStream(id: string, enabled: boolean, onWorkflow: (wf: Workflow) => void, onGone: () => void, generation = 0): LiveState {
  const [state, setState] = useState<LiveState>('off');
  useEffect(() => {
    if (!enabled) {
      setState('off');
      return;
    }
    const source = new EventSource(`/api/workflow/${encodeURIComponent(id)}/stream`);
    setState('reconnecting');
    source.onopen = () => setState('live');
    source.onerror = () => setState(source.readyState === EventSource.CLOSED ? 'off' : 'reconnecting');
    source.addEventListener('workflow', (e) => {
      const wf = JSON.parse((e as MessageEvent<string>).data) as Workflow;
      onWorkflow(wf);
      if (isTerminalWorkflow(wf.status)) {
        source.close();
        setState('off');
      }
    });
    // Removed while shown: the page reads it once more, and shows the 404.
    source.addEventListener('gone', () => {
      source.close();
      setState('off');
      onGone();
    });
    return () => source.close();
    // The callbacks are the page's setter and reload: the stream depends on the workflow and whether it runs only.
  }, [id, enabled, generation]);
  return state;
}
