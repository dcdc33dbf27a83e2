import { startMoto } from '../../local/emulator';

/**
 * Starts one AWS emulator for the run, unless MOTO_ENDPOINT names one already running.
 * Skipped when only unit/infra projects run (they never touch AWS).
 */
export default async function globalSetup(config: { selectedProjects?: string[] }) {
  const selected = config.selectedProjects ?? [];
  const needsEmulator = selected.length === 0 || selected.some((name) => name === 'integration' || name === 'e2e');
  if (!needsEmulator || process.env.MOTO_ENDPOINT) return;
  const emulator = await startMoto({ log: (line) => process.stderr.write(line + '\n') });
  process.env.MOTO_ENDPOINT = emulator.endpoint;
  (globalThis as { __emulator__?: typeof emulator }).__emulator__ = emulator;
}
