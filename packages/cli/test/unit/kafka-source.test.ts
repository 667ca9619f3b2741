import { UsageError } from '../../src/errors.js';
import { parseKafkaSource } from '../../src/example/kafka-example.js';

describe('run-example --source kafka://', () => {
  it('reads the brokers and the topic', () => {
    expect(parseKafkaSource('kafka://127.0.0.1:9092/clicks')).toEqual({
      bootstrapBrokers: ['127.0.0.1:9092'],
      topic: 'clicks',
    });
    expect(parseKafkaSource('kafka://b-1.msk:9098,b-2.msk:9098/click.stream_v2')).toEqual({
      bootstrapBrokers: ['b-1.msk:9098', 'b-2.msk:9098'],
      topic: 'click.stream_v2',
    });
  });

  it('refuses anything else with a usage error', () => {
    for (const text of [
      'kafka://127.0.0.1/clicks',
      'kafka://127.0.0.1:9092',
      'http://h:1/t',
      'kafka://h:1/a/b',
    ]) {
      expect(() => parseKafkaSource(text)).toThrow(UsageError);
    }
  });
});
