import type { Client } from '@temporalio/client';

/**
 * Every string in a workflow history, with payload bytes decoded as UTF-8, so that a test can search the whole
 * history (inputs, results, failures, search attributes, memos) for a value that must never be there.
 */
export function historyText(value: unknown): string {
  const parts: string[] = [];
  const walk = (v: unknown): void => {
    if (v === null || v === undefined) return;
    if (typeof v === 'string') parts.push(v);
    else if (v instanceof Uint8Array) parts.push(Buffer.from(v).toString('utf8'));
    else if (Array.isArray(v)) v.forEach(walk);
    else if (typeof v === 'object') Object.values(v as Record<string, unknown>).forEach(walk);
  };
  walk(value);
  return parts.join('\n');
}

/** All executions (every run, open or closed) whose DurabatchBatchId is `batchId`, plus the batch itself. */
export async function batchExecutions(
  client: Client,
  batchId: string,
): Promise<{ workflowId: string; runId: string; status: string; type: string }[]> {
  const found: { workflowId: string; runId: string; status: string; type: string }[] = [];
  for await (const wf of client.workflow.list({ query: `DurabatchBatchId="${batchId}"` })) {
    found.push({ workflowId: wf.workflowId, runId: wf.runId, status: wf.status.name, type: wf.type });
  }
  return found;
}
