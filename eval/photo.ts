export async function main(): Promise<void> {
  throw new Error('the photo evaluation is not written yet');
}
