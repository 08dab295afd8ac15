// tools/list and tools/call: every tool of the catalogue, run through runTool (shared with REST).
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import {
  CallToolRequestSchema,
  ErrorCode,
  ListToolsRequestSchema,
  McpError,
  type CallToolResult,
  type ListToolsResult,
} from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { structuredJson } from '../answer-memo.js';
import { classifyToolFailure } from '../tool-failure.js';
import { runTool } from '../tool-runner.js';
import type { ToolAnswer, ToolDefinition } from '../tools/tool-definition.js';
import { readOnlyAnnotations } from '../tools/tool-definition.js';
import type { ServerContext } from './server-context.js';

// Built once per answer object: a reused answer (answer-memo.ts) is not wrapped or serialised again.
const toolResults = new WeakMap<ToolAnswer<unknown>, CallToolResult>();

/** What a tool call returns over MCP: the summary, the JSON for clients without structured content, and the structure. */
function toolResult(answer: ToolAnswer<unknown>): CallToolResult {
  let result = toolResults.get(answer);
  if (!result) {
    result = {
      content: [
        { type: 'text', text: answer.summary },
        { type: 'text', text: structuredJson(answer) },
      ],
      structuredContent: answer.structured as Record<string, unknown>,
    };
    toolResults.set(answer, result);
  }
  return result;
}

// One listing per tool catalogue for the whole process (every HTTP session gets its own McpServer).
const toolListings = new WeakMap<readonly ToolDefinition[], ListToolsResult>();

function toolListing(tools: readonly ToolDefinition[]): ListToolsResult {
  let listing = toolListings.get(tools);
  if (!listing) {
    listing = {
      tools: tools.map((tool) => ({
        name: tool.name,
        title: tool.title,
        description: tool.description,
        inputSchema: z.toJSONSchema(tool.inputSchema, { target: 'draft-7', io: 'input' }) as ToolSchema,
        outputSchema: z.toJSONSchema(tool.outputSchema, { target: 'draft-7', io: 'output' }) as ToolSchema,
        annotations: { title: tool.title, ...readOnlyAnnotations },
        execution: { taskSupport: 'forbidden' as const },
      })),
    };
    toolListings.set(tools, listing);
  }
  return listing;
}
type ToolSchema = ListToolsResult['tools'][number]['inputSchema'];

export function registerTools(mcp: McpServer, { deps, toolsByName }: ServerContext): void {
  // tools/list and tools/call are answered here rather than through registerTool: the SDK converts
  // every schema to JSON Schema on each tools/list (2-5 ms a call for these tools), and bad
  // arguments must be a JSON-RPC -32602 error naming the field.
  mcp.server.registerCapabilities({ tools: { listChanged: false } });
  mcp.server.setRequestHandler(ListToolsRequestSchema, () => toolListing(deps.tools));

  mcp.server.setRequestHandler(CallToolRequestSchema, async (request, extra): Promise<CallToolResult> => {
    const name = request.params.name;
    const tool = toolsByName.get(name);
    if (!tool) {
      throw new McpError(
        ErrorCode.InvalidParams,
        `Unknown tool "${name}"; tools: ${[...toolsByName.keys()].join(', ')}`,
      );
    }
    const progressToken = request.params._meta?.progressToken;
    try {
      const answer = await runTool(tool, request.params.arguments, deps, {
        ...(extra.authInfo ? { caller: extra.authInfo } : {}),
        signal: extra.signal,
        ...(progressToken !== undefined
          ? {
              progress: (progress: number, total: number, message: string) =>
                extra.sendNotification({
                  method: 'notifications/progress',
                  params: { progressToken, progress, total, message },
                }),
            }
          : {}),
      });
      void mcp.server
        .sendLoggingMessage(
          { level: 'debug', logger: 'tools', data: { tool: name, answered: true } },
          extra.sessionId,
        )
        .catch(() => {});
      deps.observeToolCall?.(name, 'ok');
      return toolResult(answer);
    } catch (error) {
      const failure = classifyToolFailure(error);
      deps.observeToolCall?.(name, failure.outcome);
      if (failure.outcome === 'invalid') {
        throw new McpError(
          ErrorCode.InvalidParams,
          `Invalid arguments for tool ${name}: ${failure.error.message}`,
          { field: failure.error.field },
        );
      }
      if (failure.outcome !== 'error') {
        return { content: [{ type: 'text', text: failure.error.message }], isError: true };
      }
      deps.logger.error({ err: error, tool: name }, 'tool failed');
      void mcp.server
        .sendLoggingMessage(
          { level: 'error', logger: 'tools', data: { tool: name, error: String(error) } },
          extra.sessionId,
        )
        .catch(() => {});
      return {
        content: [{ type: 'text', text: `Tool ${name} failed: ${(error as Error).message}` }],
        isError: true,
      };
    }
  });
}
