import { register } from 'tsx/esm/api';

register();
const { default: stop } = await import('./stop-test-control-plane.ts');
export default stop;
