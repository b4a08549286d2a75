/** Seam to the backup module (SPEC §7); see handlers/backups.ts. */
export async function backupsAvailable(): Promise<boolean> {
  return false;
}
