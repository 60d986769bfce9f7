import { copyFile, mkdtemp, readdir, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

/**
 * How many `KeyAuthority` Durable Objects exist in a `wrangler dev` persist directory. Local
 * workerd keeps one SQLite file per object, and the object creates its tables when it first
 * runs, so any call to an object that did not exist yet adds a file.
 *
 * @example
 * const before = await countKeyAuthorities(persistDir);
 */
export async function countKeyAuthorities(persistDir) {
  return (await objectFiles(persistDir)).length;
}

/**
 * The files of every `KeyAuthority` object in a persist directory (SQLite files with their WAL
 * and journal) and their sizes, so a scenario can show which files a run added and their bytes.
 * Existing objects' files change size on their own (WAL checkpoints), so compare file sets.
 *
 * @example
 * const before = await keyAuthorityFiles(persistDir);
 * const added = newFileBytes(before, await keyAuthorityFiles(persistDir));
 */
export async function keyAuthorityFiles(persistDir) {
  const files = new Map();
  for (const dir of await namespaceDirs(persistDir)) {
    for (const file of await readdir(dir)) {
      const path = join(dir, file);
      files.set(path, (await stat(path).catch(() => ({ size: 0 }))).size);
    }
  }
  return files;
}

/** Files in `after` that `before` did not have: their count and total bytes. */
export function newFiles(before, after) {
  let count = 0;
  let bytes = 0;
  for (const [path, size] of after) {
    if (before.has(path)) continue;
    count += 1;
    bytes += size;
  }
  return { count, bytes };
}

/**
 * The admission instants (epoch ms, ascending) that the Durable Object of `keyId` holds right
 * now: its limiter's own record, which keeps the last 60 s. Read from a copy of the object's
 * SQLite file so the running Worker is not disturbed; null when no object knows the key or
 * the file cannot be read.
 *
 * @example
 * const instants = await readAdmissions(persistDir, key.id);
 */
export async function readAdmissions(persistDir, keyId) {
  const sqlite = await import("node:sqlite").catch(() => null);
  if (!sqlite) return null;
  for (const file of await objectFiles(persistDir)) {
    const admissions = await readCopy(sqlite, file, (db) => {
      if (!db.prepare("SELECT 1 FROM keys WHERE id = ?").get(keyId)) return null;
      return db.prepare("SELECT at FROM admissions ORDER BY at").all().map((row) => row.at);
    });
    if (admissions) return admissions;
  }
  return null;
}

async function readCopy({ DatabaseSync }, file, read) {
  const scratch = await mkdtemp(join(tmpdir(), "api-keys-bench-do-"));
  const copy = join(scratch, "object.sqlite");
  try {
    await copyFile(file, copy);
    await copyFile(`${file}-wal`, `${copy}-wal`).catch(() => {});
    const db = new DatabaseSync(copy);
    try {
      return read(db);
    } finally {
      db.close();
    }
  } catch {
    return null;
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

async function objectFiles(persistDir) {
  const files = [];
  for (const dir of await namespaceDirs(persistDir)) {
    for (const file of await readdir(dir)) {
      if (file.endsWith(".sqlite") && file !== "metadata.sqlite") files.push(join(dir, file));
    }
  }
  return files;
}

async function namespaceDirs(persistDir) {
  const root = join(persistDir, "v3", "do");
  return (await readdir(root).catch(() => [])).filter((name) => name.endsWith("-KeyAuthority")).map((name) => join(root, name));
}
