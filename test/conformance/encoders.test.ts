import { describe, expect, it } from 'vitest';
import { encoderNames, encoders } from '../../src/encoders/encoderRegistry.js';
import { encoderCases } from './encoderCases.js';
import { checkEncoder, missingCases, type EncoderCase } from './encoderHarness.js';
import { checkTextEncoder, type TextEncoderCase } from './textEncoderHarness.js';

describe('encoder conformance', () => {
  it('has a conformance case for every registered encoder', () => {
    expect(missingCases(encoderNames, encoderCases)).toEqual([]);
  });

  for (const name of encoderNames) {
    it(`${name} passes every contract check`, () => {
      const entry = encoders[name];
      const c = encoderCases[name];
      const isTextCase = 'domain' in c && c.domain === 'text';
      expect(isTextCase).toBe(entry.domain === 'text');
      const failures = entry.domain === 'text' ? checkTextEncoder(entry, c as TextEncoderCase) : checkEncoder(entry, c as EncoderCase);
      expect(failures).toEqual([]);
    });
  }
});
