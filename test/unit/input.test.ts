import { ValidationError } from '../../lambdas/errors';
import { parseExecutionInput } from '../../lambdas/input';

const valid = {
  source: { cluster: 'cluster-src', svm: 'svm_demo' },
  destination: { cluster: 'cluster-dst' },
};

describe('execution input', () => {
  it('applies the documented defaults to a minimal input', () => {
    // Act
    const input = parseExecutionInput(valid);
    // Assess
    expect(input).toEqual({
      ...valid,
      autoCutover: true,
      autoSourceCleanup: true,
      throttle: 0,
      sourceChanges: 'follow',
      checkOnly: false,
    });
  });

  it('does not change the value it was given', () => {
    const given = structuredClone(valid);
    parseExecutionInput(given);
    expect(given).toEqual(valid);
  });

  it.each([
    ['a missing source', { destination: valid.destination }, 'source', /source is required/],
    ['a missing svm', { ...valid, source: { cluster: 'c1' } }, 'source.svm', /source\.svm is required/],
    ['an unknown field', { ...valid, autocutover: true }, 'autocutover', /autocutover is not a known field/],
    ['a wrong type', { ...valid, autoCutover: 'yes' }, 'autoCutover', /autoCutover must be boolean/],
    ['a negative throttle', { ...valid, throttle: -1 }, 'throttle', /throttle must be >= 0/],
    [
      'an unknown sourceChanges',
      { ...valid, sourceChanges: 'ignore' },
      'sourceChanges',
      /sourceChanges must be one of "follow", "refuse"/,
    ],
    [
      'an SVM name ONTAP refuses',
      { ...valid, source: { cluster: 'c1', svm: '1bad name' } },
      'source.svm',
      /source\.svm must match/,
    ],
    [
      'empty aggregates',
      { ...valid, destination: { cluster: 'c2', aggregates: [] } },
      'destination.aggregates',
      /must NOT have fewer than 1 items/,
    ],
    ['not an object', 'hello', '(input)', /must be object/],
  ])('refuses %s, naming the field', (_case, given, field, message) => {
    // Act
    let caught: unknown;
    try {
      parseExecutionInput(given);
    } catch (err) {
      caught = err;
    }
    // Assess
    expect(caught).toBeInstanceOf(ValidationError);
    expect((caught as ValidationError).name).toBe('ValidationError');
    expect((caught as ValidationError).field).toBe(field);
    expect((caught as ValidationError).message).toMatch(message);
  });
});
