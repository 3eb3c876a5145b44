import { describe, expect, it } from 'vitest';
import { emptyCounts } from '../shared/status.js';
import { sumPartitions } from './progress.js';

const counts = (succeeded: number) => ({ ...emptyCounts(), succeeded });

describe('progress summed over partitions', () => {
  const batch = {
    partitionIds: ['b/p0', 'b/p1', 'b/p2'],
    reports: [
      { partition: 0, counts: counts(90), inFlight: 5 },
      { partition: 1, counts: counts(80), inFlight: 4 },
    ],
  };

  it('takes each partition’s own answer when it has one', () => {
    const answers = [
      { counts: counts(100), inFlight: 3 },
      { counts: counts(85), inFlight: 2 },
      { counts: counts(7), inFlight: 1 },
    ];
    expect(sumPartitions(batch, answers)).toEqual({ counts: counts(192), inFlight: 6 });
  });

  it('counts a partition that did not answer with its latest report, so the total never drops back', () => {
    const answers = [null, { counts: counts(85), inFlight: 2 }, { counts: counts(7), inFlight: 1 }];
    expect(sumPartitions(batch, answers)).toEqual({ counts: counts(182), inFlight: 8 });
    // Neither an answer nor a report yet: that partition counts nothing.
    expect(sumPartitions(batch, [null, null, null])).toEqual({ counts: counts(170), inFlight: 9 });
    expect(sumPartitions({ partitionIds: batch.partitionIds }, [null, null, null])).toEqual({
      counts: counts(0),
      inFlight: 0,
    });
  });
});
