import { describe, expect, it } from 'vitest';
import { encoderNames, encoders } from '../../src/encoders/registry.js';
import { encoderCases } from './encoderCases.js';
import { checkEncoder, missingCases, type EncoderUnderTest } from './encoderHarness.js';

describe('encoder conformance', () => {
  it('has a conformance case for every registered encoder', () => {
    expect(missingCases(encoderNames, encoderCases)).toEqual([]);
  });

  for (const name of encoderNames) {
    it(`${name} passes every contract check`, () => {
      const entry = encoders[name] as unknown as EncoderUnderTest;
      expect(checkEncoder(entry, encoderCases[name])).toEqual([]);
    });
  }
});
