// Container mode cannot run here (no Docker engine); this checks how KubemqContainer is configured.
import { KUBEMQ_GRPC_PORT, KUBEMQ_IMAGE, KubemqContainer } from './kubemq-container.js';

interface Inspectable {
  imageName: { string: string };
  environment: Record<string, string>;
  exposedPorts: unknown[];
}
const inspect = (c: KubemqContainer) => c as unknown as Inspectable;

describe('KubemqContainer', () => {
  const saved = process.env['KUBEMQ_IMAGE'];
  afterEach(() => {
    if (saved === undefined) delete process.env['KUBEMQ_IMAGE'];
    else process.env['KUBEMQ_IMAGE'] = saved;
  });

  it('pins kubemq/kubemq-community:v2.4.0, exposes gRPC 50000 and keeps the usage report off the network', () => {
    delete process.env['KUBEMQ_IMAGE'];
    const c = inspect(new KubemqContainer());
    expect(KUBEMQ_IMAGE).toBe('kubemq/kubemq-community:v2.4.0');
    expect(c.imageName.string).toBe(KUBEMQ_IMAGE);
    expect(c.exposedPorts).toContain(KUBEMQ_GRPC_PORT);
    expect(c.environment).toMatchObject({
      HOST: 'kubemq-test',
      HTTPS_PROXY: 'http://127.0.0.1:9',
      HTTP_PROXY: 'http://127.0.0.1:9',
      NO_PROXY: '',
    });
  });

  it('KUBEMQ_IMAGE overrides the image', () => {
    process.env['KUBEMQ_IMAGE'] = 'example/kubemq:test';
    expect(inspect(new KubemqContainer()).imageName.string).toBe('example/kubemq:test');
  });

  it('binds gRPC to a fixed host port (a restart keeps the address) and passes TLS as SECURITY_*_DATA', () => {
    const c = inspect(
      new KubemqContainer().withGrpcHostPort(45678).withTls({ certPem: 'CERT', keyPem: 'KEY', caPem: 'CA' }),
    );
    expect(c.exposedPorts).toEqual([{ container: KUBEMQ_GRPC_PORT, host: 45678 }]);
    expect(c.environment).toMatchObject({ SECURITY_CERT_DATA: 'CERT', SECURITY_KEY_DATA: 'KEY', SECURITY_CA_DATA: 'CA' });
  });
});
