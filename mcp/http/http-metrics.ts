// Prometheus metrics of the front end, in their own registry (the operator has its own).
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export class HttpMetrics {
  readonly registry = new Registry();
  readonly requestDuration = new Histogram({
    name: 'carbon_mcp_http_request_duration_seconds',
    help: 'HTTP request duration by route and status code',
    labelNames: ['route', 'method', 'code'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
    registers: [this.registry],
  });
  readonly toolCalls = new Counter({
    name: 'carbon_mcp_tool_calls_total',
    help: 'Tool calls by tool, transport and outcome',
    labelNames: ['tool', 'transport', 'outcome'] as const,
    registers: [this.registry],
  });
  readonly sessions = new Gauge({
    name: 'carbon_mcp_sessions',
    help: 'Open MCP Streamable HTTP sessions',
    registers: [this.registry],
  });
  readonly cachedPolicies = new Gauge({
    name: 'carbon_mcp_cached_policies',
    help: 'CarbonCompliancePolicies in the watched cache',
    registers: [this.registry],
  });

  constructor(defaultMetrics = true) {
    // Node's process metrics under their usual names (process_resident_memory_bytes, nodejs_*), so
    // that stock dashboards and alerts find them; the job label tells the two programs apart.
    if (defaultMetrics) collectDefaultMetrics({ register: this.registry });
  }
}
