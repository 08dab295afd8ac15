// The smallest Node HTTP server, for mcp-load.itest.ts to put under the same 200-client load as
// carbon-mcp in the same run: node:http alone, reading each request body and answering a fixed 2 kB
// JSON document. What it shows is what Node's accept path and the machine allow with no application
// work. Prints `listening on http://127.0.0.1:<port>` on stderr once it listens.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

const body = JSON.stringify({ status: 'COMPLIANT', padding: 'x'.repeat(2000) });

const server = createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  });
});
server.listen(Number(process.argv[2] ?? 0), '127.0.0.1', () => {
  process.stderr.write(`listening on http://127.0.0.1:${(server.address() as AddressInfo).port}\n`);
});
process.on('SIGTERM', () => {
  server.closeAllConnections();
  server.close();
  process.exit(0);
});
