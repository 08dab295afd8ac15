// Builds one McpServer (one per session over HTTP; one for stdio, one per request when stateless)
// from its parts: tools (answered through runTool, shared with REST), resources, prompts and
// argument completion, each registered by its own module in this folder.
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { AjvJsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/ajv-provider.js';
import { PACKAGE_VERSION } from '../../operator/public-api.js';
import { registerCompletions } from './register-completions.js';
import { registerPrompts } from './register-prompts.js';
import { registerResources } from './register-resources.js';
import { registerTools } from './register-tools.js';
import { serverContext, type FrontEndDeps } from './server-context.js';

const SERVER_NAME = 'carbon-aware-kepler';
export const SERVER_VERSION = PACKAGE_VERSION;

// The SDK builds an Ajv instance per server (used only to validate elicitation answers, which this
// server never requests); one shared instance keeps a session's construction cheap.
const sharedJsonSchemaValidator = new AjvJsonSchemaValidator();

export function createMcpServer(deps: FrontEndDeps): McpServer {
  const mcp = new McpServer(
    { name: SERVER_NAME, version: SERVER_VERSION, title: 'Carbon-Aware Kepler' },
    {
      capabilities: { logging: {}, completions: {} },
      jsonSchemaValidator: sharedJsonSchemaValidator,
      instructions:
        'Answers come from CarbonCompliancePolicy status that the operator keeps current from Kepler energy metrics. ' +
        'Start with list_workloads_by_compliance or assess_workload_compliance. Every number carries its unit and source.',
    },
  );
  const context = serverContext(deps);
  registerTools(mcp, context);
  registerResources(mcp, context);
  registerPrompts(mcp, context);
  registerCompletions(mcp, context);
  return mcp;
}
