// History events of a finished batch (or of the bare baseline), by workflow type: every run of every workflow
// the query lists (continued-as-new partition runs are runs of their own in visibility), summed from each
// execution's historyLength; describeWorkflowExecution when visibility has no length for one.
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * Lists the executions that `query` matches until `ready(byType)` holds (visibility is written a moment after a
 * workflow closes), then returns { total, byType: { type: { runs, events } } }.
 */
export async function countEvents(client, query, ready, { timeoutMs = 60_000 } = {}) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const byType = {};
    let total = 0;
    for await (const wf of client.workflow.list({ query })) {
      const events = wf.historyLength || (await describedLength(client, wf.workflowId, wf.runId));
      const entry = (byType[wf.type] ??= { runs: 0, closedRuns: 0, events: 0 });
      entry.runs += 1;
      if (wf.closeTime) entry.closedRuns += 1;
      entry.events += events;
      total += events;
    }
    if (ready(byType)) return { total, byType };
    if (Date.now() > deadline)
      throw new Error(`visibility did not list the finished workflows: ${JSON.stringify(byType)}`);
    await sleep(1000);
  }
}

async function describedLength(client, workflowId, runId) {
  const d = await client.workflowService.describeWorkflowExecution({
    namespace: client.options.namespace,
    execution: { workflowId, runId },
  });
  return Number(d.workflowExecutionInfo?.historyLength ?? 0);
}

/** Every run listed under `types` is closed (and each type has at least `min[type]` runs). */
export function allClosed(min) {
  return (byType) =>
    Object.entries(min).every(([type, n]) => (byType[type]?.runs ?? 0) >= n) &&
    Object.values(byType).every((e) => e.closedRuns === e.runs);
}
