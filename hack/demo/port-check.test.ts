import { createServer, type Server } from 'node:net';
import { assertPortFree, PortInUseError } from './port-check.js';

function listen(): Promise<{ server: Server; port: number }> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      resolve({ server, port: typeof address === 'object' && address ? address.port : 0 });
    });
  });
}

describe('assertPortFree', () => {
  it('names the port and the way out when the port is taken', async () => {
    const { server, port } = await listen();
    try {
      const failure = assertPortFree('127.0.0.1', port);
      await expect(failure).rejects.toBeInstanceOf(PortInUseError);
      await expect(failure).rejects.toThrow(
        new RegExp(`port ${port} on 127.0.0.1 is already in use.*CARBON_DEMO_PORT`),
      );
    } finally {
      server.close();
    }
  });

  it('resolves for a free port and leaves it free', async () => {
    const { server, port } = await listen();
    await new Promise((resolve) => server.close(resolve));
    await expect(assertPortFree('127.0.0.1', port)).resolves.toBeUndefined();
    await expect(assertPortFree('127.0.0.1', port)).resolves.toBeUndefined();
  });
});
