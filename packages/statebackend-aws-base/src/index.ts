export { ConfigurationError, type ConfigurationIssue, StateBackendError } from './errors.js';
