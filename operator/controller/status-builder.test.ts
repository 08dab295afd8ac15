import { conditionReason } from './status-builder.js';

describe('conditionReason', () => {
  it('keeps CamelCase source reasons as they are', () => {
    expect(conditionReason('ParseError')).toBe('ParseError');
    expect(conditionReason('BodyTooLarge')).toBe('BodyTooLarge');
    expect(conditionReason('Timeout')).toBe('Timeout');
  });

  it('turns other spellings into one CamelCase word', () => {
    expect(conditionReason('tls-error')).toBe('TlsError');
    expect(conditionReason('TIMEOUT')).toBe('Timeout');
    expect(conditionReason('')).toBe('Unknown');
  });
});
