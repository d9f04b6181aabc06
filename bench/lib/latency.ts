/**
 * Latency percentiles with HdrHistogram: values are recorded in microseconds
 * (3 significant digits), read back in milliseconds.
 */
import * as hdr from 'hdr-histogram-js';

export type LatencySummary = {
  count: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
};

export class Latencies {
  private readonly histogram = hdr.build({ numberOfSignificantValueDigits: 3 });
  /** Values below zero (e.g. a job that started before its due time) are recorded as 0 and counted. */
  negative = 0;

  record(ms: number): void {
    if (ms < 0) this.negative++;
    this.histogram.recordValue(Math.max(0, Math.round(ms * 1000)));
  }

  get count(): number {
    return this.histogram.totalCount;
  }

  percentile(p: number): number {
    return this.histogram.getValueAtPercentile(p) / 1000;
  }

  summary(): LatencySummary {
    const h = this.histogram;
    const ms = (us: number) => Math.round(us) / 1000;
    return {
      count: h.totalCount,
      p50: ms(h.getValueAtPercentile(50)),
      p90: ms(h.getValueAtPercentile(90)),
      p99: ms(h.getValueAtPercentile(99)),
      max: ms(h.maxValue),
      mean: ms(h.mean),
    };
  }
}
