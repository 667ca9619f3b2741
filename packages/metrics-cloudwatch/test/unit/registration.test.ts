import { Configuration, MetricRegistry } from '@statebackend/aws-base';
import { MetricReporterFactoryRegistry } from '@statebackend/aws-base/spi';
import {
  CLOUDWATCH_FACTORY_NAMES,
  CloudWatchMetricReporterFactory,
  registerCloudWatchReporter,
} from '../../src/index.js';

describe('registerCloudWatchReporter', () => {
  it('registers the factory under its names in the registry given, which configuration then finds', async () => {
    const factories = new MetricReporterFactoryRegistry();
    expect(registerCloudWatchReporter(factories)).toBe(factories);
    expect(factories.names()).toEqual([...CLOUDWATCH_FACTORY_NAMES].sort());
    for (const name of CLOUDWATCH_FACTORY_NAMES) {
      expect(factories.get(name)).toBeInstanceOf(CloudWatchMetricReporterFactory);
    }
    const registry = await MetricRegistry.fromConfiguration(
      Configuration.fromObject({
        'metrics.reporter.cw.factory.class': 'cloudwatch',
        'metrics.reporter.cw.mode': 'dry-run',
      }),
      { factories },
    );
    expect(registry.reporterNames).toEqual(['cw']);
    await registry.close();
  });
});
