export default async function globalTeardown() {
  await (globalThis as { __emulator__?: { stop(): Promise<void> } }).__emulator__?.stop();
}
