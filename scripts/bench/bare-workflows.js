// The bare baselines of the orchestration benchmark, bundled by scripts/bench/bare-worker.mjs; nothing here is
// durabatch code. Both run one trivial activity per row with the same bounded concurrency as the batch and
// continue as new when Temporal suggests it (a single history cannot hold 10,000 rows):
// - bareWorkflow: the activities straight from one workflow (issue 7's baseline);
// - bareChildrenWorkflow: one child workflow per row, each running the activity (what one workflow per row costs
//   by itself, without durabatch's steps).
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import { condition, continueAsNew, executeChild, proxyActivities, workflowInfo } from '@temporalio/workflow';

const { touchRow } = proxyActivities({ startToCloseTimeout: '30s' });
const BATCH_ID_KEY = defineSearchAttributeKey('DurabatchBatchId', SearchAttributeType.KEYWORD);

export async function bareWorkflow(input) {
  return slidingWindow(input, (row) => touchRow({ row }));
}

export async function bareChildrenWorkflow(input) {
  return slidingWindow(input, (row) =>
    executeChild(bareRowWorkflow, {
      workflowId: `${input.id}/${row}`,
      args: [{ row }],
      typedSearchAttributes: [{ key: BATCH_ID_KEY, value: input.id }],
    }),
  );
}

export async function bareRowWorkflow({ row }) {
  return touchRow({ row });
}

/** Rows `next`..`rows - 1` through `runRow`, at most `concurrency` at a time, every free slot in one task. */
async function slidingWindow(input, runRow) {
  let { next = 0, done = 0, runs = 1 } = input;
  let inFlight = 0;
  while (next < input.rows) {
    const info = workflowInfo();
    if (info.continueAsNewSuggested || info.historyLength > 10_000) {
      await condition(() => inFlight === 0);
      return continueAsNew({ ...input, next, done, runs: runs + 1 });
    }
    while (inFlight < input.concurrency && next < input.rows) {
      inFlight += 1;
      void runRow(next).then(() => {
        inFlight -= 1;
        done += 1;
      });
      next += 1;
    }
    await condition(() => inFlight < input.concurrency);
  }
  await condition(() => inFlight === 0);
  return { done, runs };
}
