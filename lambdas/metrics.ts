// Turns recorded migration events into CloudWatch metrics (Powertools, embedded metric
// format): counts of starts, outcomes and recoveries, and the cut-over window. The metrics
// are buffered; the task's middy wrapper flushes them once per invocation.
import { type Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { MigrationNotice, MigrationNotifier } from './domain/migration/events';
import { CUTOVER_WINDOW_METRIC, countMetricOf } from './migration-metrics';

export class MetricsNotifier implements MigrationNotifier {
  constructor(private readonly metrics: Metrics) {}

  async publish(notice: MigrationNotice): Promise<void> {
    const counted = countMetricOf(notice.type);
    if (counted) this.metrics.addMetric(counted, MetricUnit.Count, 1);
    if (notice.type === 'cutover_complete') {
      const seconds = notice.detail.cutoverWindowSeconds;
      // A commit that resumed without a recorded cut-over start has no window to report.
      if (typeof seconds === 'number' && Number.isFinite(seconds) && seconds >= 0) {
        this.metrics.addMetric(CUTOVER_WINDOW_METRIC, MetricUnit.Seconds, seconds);
      }
    }
  }
}
