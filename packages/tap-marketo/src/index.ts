export async function main(): Promise<void> {
  throw new Error('not implemented yet');
}
