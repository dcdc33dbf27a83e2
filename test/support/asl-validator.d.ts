declare module 'asl-validator' {
  /** Validates an Amazon States Language definition (schema, state references, JSONPath expressions). */
  const validator: (definition: unknown, options?: { checkPaths?: boolean; checkArn?: boolean }) => { isValid: boolean; errors: Array<{ message?: string; path?: string }> };
  export = validator;
}
