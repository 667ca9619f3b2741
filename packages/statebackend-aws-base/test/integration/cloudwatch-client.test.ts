import {
  CloudWatchClient,
  ListMetricsCommand,
  type Metric,
  PutMetricDataCommand,
} from '@aws-sdk/client-cloudwatch';
import { describeEachTarget, uniqueName } from '@statebackend/testkit';
import { buildAwsClientConfig } from '../../src/index.js';

/** ListMetrics on a real account shows a new metric only after minutes; emulators at once. */
async function listUntilFound(
  client: CloudWatchClient,
  namespace: string,
  deadline: number,
): Promise<Metric[]> {
  for (;;) {
    const { Metrics = [] } = await client.send(new ListMetricsCommand({ Namespace: namespace }));
    if (Metrics.length > 0 || Date.now() > deadline) return Metrics;
    await new Promise((resolve) => setTimeout(resolve, 10_000));
  }
}

describeEachTarget('cloudwatch', (target) => {
  // CloudWatch metrics cannot be deleted; a unique namespace keeps runs apart and they expire.
  const patienceMs = target.name === 'aws' ? 900_000 : 10_000;
  let client: CloudWatchClient;
  beforeAll(() => {
    client = new CloudWatchClient(
      buildAwsClientConfig(target.configuration(), { userAgentSuffix: 'statebackend-aws-base-it' }),
    );
  });
  afterAll(() => client.destroy());

  it(
    `puts a metric that ListMetrics then returns on ${target.name}`,
    async () => {
      const namespace = uniqueName('statebackend-it');
      const dimensions = [
        { Name: 'operator', Value: 'window-agg' },
        { Name: 'subtask', Value: '3' },
      ];
      await client.send(
        new PutMetricDataCommand({
          Namespace: namespace,
          MetricData: [
            {
              MetricName: 'stateAccesses',
              Dimensions: dimensions,
              Unit: 'Count',
              Value: 12,
              Timestamp: new Date(),
            },
            {
              MetricName: 'checkpointDuration',
              Dimensions: dimensions,
              Unit: 'Milliseconds',
              Values: [5, 8],
              Counts: [3, 1],
            },
          ],
        }),
      );

      const metrics = await listUntilFound(client, namespace, Date.now() + patienceMs);

      // moto lists a metric once per stored sample; AWS once per name and dimension set.
      const names = [...new Set(metrics.map((m) => m.MetricName))].sort();
      expect(names).toEqual(['checkpointDuration', 'stateAccesses']);
      expect(metrics[0]?.Dimensions).toEqual(expect.arrayContaining(dimensions));
    },
    patienceMs + 60_000,
  );
});
