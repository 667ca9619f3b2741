/**
 * The environment variable through which the testkit's Kafka global setup hands the broker's
 * bootstrap address (`127.0.0.1:<port>`) to the test workers. Set it yourself to run the
 * integration tests against a broker you started.
 */
export const KAFKA_BOOTSTRAP_ENV = 'STATEBACKEND_KAFKA_BOOTSTRAP';
