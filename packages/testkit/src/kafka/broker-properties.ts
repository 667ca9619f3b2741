/** What a single-node test broker listens on and where it keeps its log. */
export interface BrokerPropertiesInput {
  readonly port: number;
  readonly controllerPort: number;
  readonly logDir: string;
}

/**
 * The `server.properties` of a single KRaft node (broker and controller in one process) on
 * 127.0.0.1. The internal topics (consumer offsets, transaction state) get replication factor 1
 * and min ISR 1: with the defaults (3 and 2) transactions never complete on one node. Few
 * internal partitions and no initial rebalance delay keep a test's group joins fast.
 */
export function brokerProperties(input: BrokerPropertiesInput): string {
  const { port, controllerPort, logDir } = input;
  const lines = [
    'process.roles=broker,controller',
    'node.id=1',
    `controller.quorum.bootstrap.servers=127.0.0.1:${controllerPort}`,
    `listeners=PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort}`,
    `advertised.listeners=PLAINTEXT://127.0.0.1:${port}`,
    'controller.listener.names=CONTROLLER',
    'listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
    'inter.broker.listener.name=PLAINTEXT',
    `log.dirs=${logDir}`,
    'num.partitions=1',
    'auto.create.topics.enable=false',
    'offsets.topic.replication.factor=1',
    'offsets.topic.num.partitions=4',
    'transaction.state.log.replication.factor=1',
    'transaction.state.log.min.isr=1',
    'transaction.state.log.num.partitions=4',
    'share.coordinator.state.topic.replication.factor=1',
    'share.coordinator.state.topic.min.isr=1',
    'group.initial.rebalance.delay.ms=0',
    // Tests use short sessions, so a killed worker's partitions move in about a second.
    'group.min.session.timeout.ms=500',
    // Aborted transactions of killed test workers expire quickly.
    'transaction.abort.timed.out.transaction.cleanup.interval.ms=1000',
    'log.flush.interval.messages=9223372036854775807',
  ];
  return `${lines.join('\n')}\n`;
}
