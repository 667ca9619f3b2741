import { resolveJobTarget } from '../../src/target/job-target.js';
import { runCli } from '../support/run-cli.js';

const io = (env: Record<string, string> = {}) => ({ cwd: '/work', env });

describe('the backend of run-example from configuration', () => {
  it('reads state.backend.type and its keys from the environment when --backend is not given', () => {
    const env = {
      STATEBACKEND_STATE_BACKEND_TYPE: 'DynamoDB',
      STATEBACKEND_STATE_BACKEND_DYNAMODB_TABLE_NAME: 'stream-state',
    };
    expect(resolveJobTarget({}, '.statebackend', {}, io(env), 'run-example')).toMatchObject({
      backend: 'dynamodb',
      location: { kind: 'dynamodb', table: 'stream-state' },
    });
    const s3 = { STATEBACKEND_STATE_BACKEND_TYPE: 's3', STATEBACKEND_STATE_BACKEND_S3_BUCKET: 'my-state' };
    expect(resolveJobTarget({}, '.statebackend', {}, io(s3), 'run-example')).toMatchObject({
      backend: 's3',
      location: { kind: 's3', bucket: 'my-state' },
    });
    // --backend and a location still win.
    expect(resolveJobTarget({ dir: 'ckpt' }, '.statebackend', {}, io(env), 'run-example')).toMatchObject({
      backend: 'heap',
    });
  });

  it('says which setting is wrong', async () => {
    const run = await runCli(['run-example'], { env: { STATEBACKEND_STATE_BACKEND_TYPE: 'rocksdb' } });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/state\.backend\.type must be heap, s3 or dynamodb, not 'rocksdb'/);
    const noTable = await runCli(['run-example'], { env: { STATEBACKEND_STATE_BACKEND_TYPE: 'dynamodb' } });
    expect(noTable.stderr).toMatch(/state\.backend\.dynamodb\.table-name in --config/);
  });
});
