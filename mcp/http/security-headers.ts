// Response headers every route sends: no MIME sniffing, no framing by other sites, no Referer
// leaking the server's URLs. /docs gets a Content-Security-Policy that allows only the server's
// own scripts and styles (Swagger UI is served locally; its inline style attributes need
// 'unsafe-inline' for styles, never for scripts).
import type { IncomingMessage, ServerResponse } from 'node:http';

const API_CSP = "default-src 'none'; frame-ancestors 'none'";
const DOCS_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

export function securityHeaders(req: IncomingMessage, res: ServerResponse, next: () => void): void {
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.setHeader('X-Frame-Options', 'DENY');
  res.setHeader('Content-Security-Policy', (req.url ?? '').startsWith('/docs') ? DOCS_CSP : API_CSP);
  next();
}
