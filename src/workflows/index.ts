export { batchWorkflow } from './batch.js';
export { partitionWorkflow } from './partition.js';
export { itemWorkflow } from './item.js';
export { scheduledBatchWorkflow } from './scheduled.js';
