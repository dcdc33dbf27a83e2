export interface SigningSecrets {
  /** Active secrets of a source, newest first. */
  forSource(source: string): Promise<string[]>;
}
