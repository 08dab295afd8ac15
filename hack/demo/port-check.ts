// Fails early, with a message a user can act on, when the demo's HTTP port is already taken.
import { createServer } from 'node:net';

export class PortInUseError extends Error {
  override name = 'PortInUseError';
}

export async function assertPortFree(host: string, port: number): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const server = createServer();
    server.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE' || error.code === 'EACCES') {
        reject(
          new PortInUseError(
            `port ${port} on ${host} is already in use (${error.code}); the demo serves the MCP/REST API there. ` +
              `Stop whatever listens on it (e.g. \`ss -ltnp 'sport = :${port}'\` shows it) or run the demo on ` +
              `another port: CARBON_DEMO_PORT=8001 make demo`,
          ),
        );
      } else {
        reject(error);
      }
    });
    server.listen(port, host, () => server.close(() => resolve()));
  });
}
