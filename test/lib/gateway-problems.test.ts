import { GATEWAY_PROBLEMS, gatewayProblemTemplate } from '../../lib/gateway-problems';

/** API Gateway renders a gateway response template by substitution; `messageString` arrives already quoted. */
const rendered = (template: string, messageString = JSON.stringify('Missing Authentication Token')) =>
  JSON.parse(template.replaceAll('$context.error.messageString', messageString)) as Record<string, unknown>;

describe('gatewayProblemTemplate', () => {
  it.each(Object.entries(GATEWAY_PROBLEMS))('renders %s as valid JSON with a numeric status', (_type, problem) => {
    // Act
    const document = rendered(gatewayProblemTemplate(problem));

    // Assess
    expect(document).toEqual({ type: expect.stringMatching(/^https:\/\//), title: problem.title, status: problem.status, detail: problem.detail ?? 'Missing Authentication Token' });
    expect(typeof document.status).toBe('number');
  });

  it("keeps a gateway message with quotes and backslashes intact (it is substituted as the JSON string it already is)", () => {
    // Act
    const document = rendered(gatewayProblemTemplate(GATEWAY_PROBLEMS.THROTTLED!), JSON.stringify('Too "many" \\ requests'));

    // Assess
    expect(document.detail).toBe('Too "many" \\ requests');
  });
});
