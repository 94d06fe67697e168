export async function main(): Promise<void> {
  throw new Error('the photo benchmark is not written yet');
}
