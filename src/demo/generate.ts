export async function writeDemoData(_dir: string, _o: { seed: number; through?: string }): Promise<{ files: number; rows: number }> {
  throw new Error('todo');
}
