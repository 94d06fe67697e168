export async function main(): Promise<void> {
  throw new Error('the dph benchmark is not written yet');
}
