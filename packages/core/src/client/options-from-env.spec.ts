import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ValidationError } from '../internal/errors/kubemq-error.js';
import { clientOptionsFromEnv } from './options-from-env.js';
import { resolveOptions } from './resolve-options.js';

describe('clientOptionsFromEnv', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'kubemq-env-'));
    writeFileSync(join(dir, 'ca.pem'), 'CA PEM');
    writeFileSync(join(dir, 'cert.pem'), 'CERT PEM');
    writeFileSync(join(dir, 'key.pem'), 'KEY PEM');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('gives the options the KUBEMQ_* variables set, and no others', () => {
    expect(clientOptionsFromEnv({})).toEqual({});
    expect(clientOptionsFromEnv({ KUBEMQ_ADDRESS: 'broker:6000', KUBEMQ_CLIENT_ID: 'from-env', KUBEMQ_AUTH_TOKEN: 'tok', OTHER: 'x' })).toEqual({
      address: 'broker:6000',
      clientId: 'from-env',
      authToken: 'tok',
    });
  });

  it('takes an empty variable for an unset one', () => {
    expect(clientOptionsFromEnv({ KUBEMQ_ADDRESS: '', KUBEMQ_TLS_CA_FILE: '' })).toEqual({});
  });

  it('reads the KUBEMQ_TLS_* files into PEM bytes; any of them turns TLS on', () => {
    const options = clientOptionsFromEnv({
      KUBEMQ_TLS_CA_FILE: join(dir, 'ca.pem'),
      KUBEMQ_TLS_CERT_FILE: join(dir, 'cert.pem'),
      KUBEMQ_TLS_KEY_FILE: join(dir, 'key.pem'),
      KUBEMQ_TLS_SERVER_NAME: 'kubemq.test',
    });
    expect(options.tls).toEqual({ ca: Buffer.from('CA PEM'), cert: Buffer.from('CERT PEM'), key: Buffer.from('KEY PEM'), serverName: 'kubemq.test' });
    expect(clientOptionsFromEnv({ KUBEMQ_TLS_SERVER_NAME: 'only-a-name' }).tls).toEqual({ serverName: 'only-a-name' });
    expect(resolveOptions(clientOptionsFromEnv({ KUBEMQ_TLS_SERVER_NAME: 'n' })).options.tls).toBe(true);
  });

  it('a file that cannot be read is a ValidationError naming its variable', () => {
    try {
      clientOptionsFromEnv({ KUBEMQ_TLS_CA_FILE: join(dir, 'missing.pem') });
      throw new Error('no throw');
    } catch (err) {
      expect(err).toBeInstanceOf(ValidationError);
      expect((err as ValidationError).field).toBe('KUBEMQ_TLS_CA_FILE');
      expect((err as ValidationError).message).toContain('missing.pem');
    }
  });

  it('your own options spread over it win', () => {
    const options = { ...clientOptionsFromEnv({ KUBEMQ_ADDRESS: 'env:1', KUBEMQ_CLIENT_ID: 'env' }), clientId: 'mine' };
    expect(resolveOptions(options).options).toMatchObject({ address: 'env:1', clientId: 'mine' });
  });

  it('reads process.env when given nothing', () => {
    const saved = process.env['KUBEMQ_CLIENT_ID'];
    process.env['KUBEMQ_CLIENT_ID'] = 'from-process';
    try {
      expect(clientOptionsFromEnv().clientId).toBe('from-process');
    } finally {
      if (saved === undefined) delete process.env['KUBEMQ_CLIENT_ID'];
      else process.env['KUBEMQ_CLIENT_ID'] = saved;
    }
  });
});
