// OpenAPI 3.1 for POST /tools/{name}, generated from the tools' own zod schemas (z.toJSONSchema),
// so REST and MCP cannot drift apart.
import { z } from 'zod';
import type { ToolDefinition } from '../tools/tool-definition.js';

type JsonSchema = Record<string, unknown>;

function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, {
    io,
    target: 'draft-2020-12',
    unrepresentable: 'any',
  }) as JsonSchema;
  return rest;
}

const problemSchema: JsonSchema = {
  type: 'object',
  description: 'RFC 9457 problem details',
  properties: {
    type: { type: 'string' },
    title: { type: 'string' },
    status: { type: 'integer' },
    detail: { type: 'string' },
    field: { type: 'string', description: 'the argument that was wrong' },
  },
  required: ['title', 'status', 'detail'],
};

const problem = (description: string) => ({
  description,
  content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
});

export function openApiDocument(
  tools: readonly ToolDefinition[],
  options: { version: string; bearer: boolean },
) {
  const paths: Record<string, unknown> = {};
  for (const tool of tools) {
    const input = jsonSchema(tool.inputSchema, 'input');
    const example = (input.examples as unknown[] | undefined)?.[0];
    paths[`/tools/${tool.name}`] = {
      post: {
        operationId: tool.name,
        summary: tool.title,
        description: tool.description,
        tags: ['tools'],
        requestBody: {
          required: true,
          content: { 'application/json': { schema: input, ...(example !== undefined ? { example } : {}) } },
        },
        responses: {
          '200': {
            description: 'The structured answer (the same object MCP returns as structuredContent)',
            content: { 'application/json': { schema: jsonSchema(tool.outputSchema, 'output') } },
          },
          '400': problem('Invalid arguments; `field` names the argument'),
          ...(options.bearer ? { '401': problem('Missing or invalid bearer token') } : {}),
          '403': problem('Forbidden Host or Origin'),
          '404': problem(
            'The workload is not covered by any policy you can read (the detail shows a policy to apply)',
          ),
          '413': problem('Request body too large'),
          '422': problem('The what-if needs data that is not available'),
          '429': problem('Rate limit exceeded'),
        },
      },
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Carbon-Aware Kepler API',
      version: options.version,
      description:
        'Carbon compliance of Kubernetes workloads against Korean standards, answered from CarbonCompliancePolicy ' +
        'status. The same tools are available over MCP at /mcp.',
    },
    paths,
    components: {
      schemas: { Problem: problemSchema },
      ...(options.bearer ? { securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer' } } } : {}),
    },
    ...(options.bearer ? { security: [{ bearerAuth: [] }] } : {}),
  };
}
