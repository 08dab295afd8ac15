// The MCP server under test and the official SDK client, linked by the SDK's in-memory transport: the
// policies are served from memory, every namespace is allowed, the tools are the product's catalogue.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import pino from 'pino';
import type { CarbonCompliancePolicy } from '../../operator/api/v1alpha1/types.js';
import { allowAllNamespaces } from '../../mcp/auth/namespace-authoriser.js';
import { createMcpServer } from '../../mcp/server/create-mcp-server.js';
import type { FrontEndDeps } from '../../mcp/server/server-context.js';
import { InMemoryPolicyReader } from '../../mcp/status/in-memory-policy-reader.js';
import { toolCatalogue } from '../../mcp/tools/catalogue.js';
import { testReferenceData } from './test-reference-data.js';

export async function connectInMemory(
  policies: CarbonCompliancePolicy[],
  options: { reference?: FrontEndDeps['reference']; now?: FrontEndDeps['now'] } = {},
): Promise<{ client: Client; server: ReturnType<typeof createMcpServer> }> {
  const server = createMcpServer({
    policyStatus: new InMemoryPolicyReader(policies),
    authoriser: allowAllNamespaces,
    tools: toolCatalogue,
    reference: options.reference ?? testReferenceData,
    logger: pino({ level: 'silent' }),
    ...(options.now ? { now: options.now } : {}),
  });
  const client = new Client({ name: 'test', version: '1' });
  const [a, b] = InMemoryTransport.createLinkedPair();
  await Promise.all([server.connect(a), client.connect(b)]);
  return { client, server };
}
