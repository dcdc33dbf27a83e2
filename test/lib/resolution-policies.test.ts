import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { loadResolutionPolicies, resolutionPoliciesVariable } from '../../lib/resolution-policies';
import defaultPolicy from '../../config/policies/default.json';

const directoryWith = (files: Record<string, string>) => {
  const directory = mkdtempSync(path.join(tmpdir(), 'policies-'));
  for (const [name, content] of Object.entries(files)) writeFileSync(path.join(directory, name), content);
  return directory;
};

describe('resolution policies at synthesis', () => {
  it('loads every policy file of config/policies, the most specific first', () => {
    // Act
    const policies = loadResolutionPolicies();
    // Assess
    expect(policies.map((policy) => policy.name)).toEqual(['eu', 'default']);
  });

  it('names the file that is not JSON, and the file and field that do not validate', () => {
    // Prepare
    const notJson = directoryWith({ 'default.json': JSON.stringify(defaultPolicy), 'outlet.json': '{ nope' });
    const invalid = directoryWith({ 'default.json': JSON.stringify({ ...defaultPolicy, returnArrivalDays: 0 }) });
    // Act / Assess
    expect(() => loadResolutionPolicies(notJson)).toThrow(/^Invalid resolution policies:\noutlet\.json: not JSON/);
    expect(() => loadResolutionPolicies(invalid)).toThrow('default.json: returnArrivalDays:');
  });

  it("refuses policies that would not fit in a function's environment", () => {
    // Prepare
    const many = Array.from({ length: 4 }, () => loadResolutionPolicies()).flat();
    // Act / Assess
    expect(resolutionPoliciesVariable(loadResolutionPolicies()).length).toBeLessThanOrEqual(2048);
    expect(() => resolutionPoliciesVariable(many)).toThrow(/at most 2048 fit in a function's environment/);
  });
});
