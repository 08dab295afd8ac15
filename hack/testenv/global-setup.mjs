// jest loads globalSetup through Node's own ESM loader, which cannot resolve our TypeScript
// imports; tsx's loader can, so the real work lives in start-test-control-plane.ts.
import { register } from 'tsx/esm/api';

register();
const { default: start } = await import('./start-test-control-plane.ts');
export default start;
