import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AwsConfigOptions, CREDENTIALS_PROVIDERS } from '../../../src/aws/aws-config-options.js';

const readme = readFileSync(join(__dirname, '..', '..', '..', 'README.md'), 'utf8');

function section(title: string): string {
  const start = readme.indexOf(`\n## ${title}\n`);
  expect(start).toBeGreaterThanOrEqual(0);
  const end = readme.indexOf('\n## ', start + 1);
  return readme.slice(start, end === -1 ? undefined : end);
}

describe('README', () => {
  const aws = section('AWS clients');

  it('documents every AWS key (the role source provider by its sub-key rule)', () => {
    const sourcePrefix = `${AwsConfigOptions.ROLE_PROVIDER.key}.`;
    const keys = AwsConfigOptions.all()
      .flatMap((option) => option.allKeys)
      .filter((key) => !key.startsWith(sourcePrefix));
    const missing = keys.filter((key) => !aws.includes(`\`${key}\``));
    expect(missing).toEqual([]);
  });

  it('documents every credentials provider and the environment-variable mapping', () => {
    for (const provider of CREDENTIALS_PROVIDERS) expect(aws).toContain(`| \`${provider}\` |`);
    expect(section('Configuration')).toContain('`STATEBACKEND_AWS_REGION` | `aws.region`');
  });
});
