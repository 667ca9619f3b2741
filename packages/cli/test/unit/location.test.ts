import { parseLocation, UnsupportedLocationError } from '../../src/index.js';

describe('parseLocation', () => {
  it('reads a relative path, an absolute path and a file:// URL as local directories', () => {
    expect(parseLocation('.statebackend', '/work')).toMatchObject({
      kind: 'local',
      directory: '/work/.statebackend',
    });
    expect(parseLocation('/var/ckpt', '/work')).toMatchObject({ kind: 'local', directory: '/var/ckpt' });
    expect(parseLocation('file:///var/ckpt', '/work')).toMatchObject({
      kind: 'local',
      directory: '/var/ckpt',
    });
  });

  it('reads s3://bucket/prefix and dynamodb://table', () => {
    expect(parseLocation('s3://my-bucket/state/ckpt/', '/')).toMatchObject({
      kind: 's3',
      bucket: 'my-bucket',
      prefix: 'state/ckpt',
    });
    expect(parseLocation('s3://my-bucket', '/')).toMatchObject({
      kind: 's3',
      bucket: 'my-bucket',
      prefix: '',
    });
    expect(parseLocation('dynamodb://state', '/')).toMatchObject({ kind: 'dynamodb', table: 'state' });
  });

  it('refuses other schemes and malformed locations, saying what is accepted', () => {
    expect(() => parseLocation('gs://bucket', '/')).toThrow(UnsupportedLocationError);
    expect(() => parseLocation('gs://bucket', '/')).toThrow(
      /unknown scheme 'gs:\/\/'; use a local directory, s3:/,
    );
    expect(() => parseLocation('s3:///prefix', '/')).toThrow(/s3:\/\/<bucket>/);
    expect(() => parseLocation('dynamodb://a/b', '/')).toThrow(/dynamodb:\/\/<table>/);
  });
});
