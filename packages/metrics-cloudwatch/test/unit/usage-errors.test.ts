import { StateBackendError } from '@statebackend/aws-base';
import {
  CloudWatchMetricReporter,
  CloudWatchReporterUsageError,
  compressDistribution,
} from '../../src/index.js';
import { offlineClient, stubSend } from './support.js';

describe('CloudWatchReporterUsageError', () => {
  it('is what report() before open() rejects with, saying how to open the reporter, and nothing is sent', async () => {
    const client = offlineClient();
    const requests = stubSend(client, () => {});
    const reporter = new CloudWatchMetricReporter({ client, namespace: 'MyApp' });

    const reporting = reporter.report();

    await expect(reporting).rejects.toBeInstanceOf(CloudWatchReporterUsageError);
    await expect(reporting).rejects.toBeInstanceOf(StateBackendError);
    await expect(reporting).rejects.toMatchObject({
      name: 'CloudWatchReporterUsageError',
      isRetryable: false,
      message:
        'CloudWatchMetricReporter.report() called before open(): add the reporter to a MetricRegistry first',
    });
    expect(requests).toEqual([]);
  });

  it('is what compressDistribution throws for fewer than 3 values, naming the value given', () => {
    const distribution = { values: [1, 2, 3, 4], counts: [1, 1, 1, 1] };

    expect(() => compressDistribution(distribution, 2)).toThrow(
      expect.objectContaining({
        name: 'CloudWatchReporterUsageError',
        message:
          'compressDistribution: maxValues must be at least 3 (the minimum, the maximum and one range), received 2',
      }),
    );
  });
});
