// Indexing lag: how long after a workflow ends it can be found by search. While the load runs, a probe
// workflow (one NOOP task: it is COMPLETED by the time its start is answered) is started every
// `everyMs`, and search is asked for it (`workflowId = <id> AND status = COMPLETED`) every 10 ms until it
// answers; the lag is from the start's answer to the first search that finds it. Reported, never asserted.

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export function indexLagWorkflow(runId) {
  return {
    name: `bench_index_lag_${runId}`,
    version: 1,
    tasks: [{ name: 'lag_noop', taskReferenceName: 'noop', type: 'NOOP' }],
    ownerEmail: 'bench@baton.dev',
  };
}

export class IndexLagProbe {
  constructor(client, workflowName, { everyMs = 500, giveUpMs = 30_000 } = {}) {
    this.client = client;
    this.name = workflowName;
    this.everyMs = everyMs;
    this.giveUpMs = giveUpMs;
    this.samples = [];
    this.missed = 0;
    this.errors = 0;
    this.running = false;
    this.pending = new Set();
  }

  start() {
    this.running = true;
    this.loop = (async () => {
      while (this.running) {
        const probe = this.probe().finally(() => this.pending.delete(probe));
        this.pending.add(probe);
        await sleep(this.everyMs);
      }
    })();
  }

  async stop() {
    this.running = false;
    await this.loop;
    await Promise.allSettled([...this.pending]);
    return { samples: this.samples, missed: this.missed, errors: this.errors };
  }

  async probe() {
    try {
      const id = await this.client.call('POST', `/api/workflow/${this.name}`, {});
      const answered = performance.now();
      const query = encodeURIComponent(`workflowId = ${id} AND status = COMPLETED`);
      while (performance.now() - answered < this.giveUpMs) {
        const hits = await this.client.call('GET', `/api/workflow/search?size=1&query=${query}`);
        if (hits.totalHits > 0) return void this.samples.push(performance.now() - answered);
        await sleep(10);
      }
      this.missed++;
    } catch {
      this.errors++;
    }
  }
}
