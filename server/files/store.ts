import { createHash, randomBytes } from "node:crypto";
import { mkdir, open, rename, unlink } from "node:fs/promises";
import { dirname, join } from "node:path";
import type { Readable } from "node:stream";

export interface StoredFile {
  key: string;
  size: number;
  sha256: string;
}

// Where attachment bytes live. The database keeps the key and metadata; the store keeps only
// bytes, so local disk and an S3-compatible store are interchangeable behind this interface.
export interface FileStore {
  put(stream: AsyncIterable<Buffer> | Readable): Promise<StoredFile>;
  // Rejects with FileMissingError when nothing is stored under the key.
  get(key: string): Promise<Readable>;
  // Deleting a key that is already gone is not an error.
  delete(key: string): Promise<void>;
}

export class FileMissingError extends Error {
  constructor(key: string) {
    super(`no file is stored under ${key}`);
  }
}

const KEY = /^[0-9a-f]{2}\/[0-9a-f]{2}\/[0-9a-f]{32}$/;

// Files on local disk under `root`, at random keys fanned out over two directory levels
// (ab/cd/abcd...) so no directory grows huge. Random rather than content-addressed keys mean
// deleting one attachment never pulls the bytes from under another with the same content.
export class LocalFileStore implements FileStore {
  readonly root: string;

  constructor(root: string) {
    this.root = root;
  }

  #path(key: string): string {
    // Keys come from our own rows, but a key that could climb out of root must never reach fs.
    if (!KEY.test(key)) throw new Error(`not a file store key: ${key}`);
    return join(this.root, key);
  }

  // Written to a temp file in the same file system, flushed to disk, then renamed: a crash
  // leaves either the whole file under its key or a stray temp file, never a half file.
  async put(stream: AsyncIterable<Buffer> | Readable): Promise<StoredFile> {
    const hex = randomBytes(16).toString("hex");
    const key = `${hex.slice(0, 2)}/${hex.slice(2, 4)}/${hex}`;
    const tmpDir = join(this.root, ".tmp");
    const tmp = join(tmpDir, `${hex}.part`);
    await mkdir(tmpDir, { recursive: true });
    const hash = createHash("sha256");
    let size = 0;
    const file = await open(tmp, "wx", 0o600);
    try {
      try {
        for await (const chunk of stream) {
          const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk);
          hash.update(buf);
          size += buf.length;
          let written = 0;
          while (written < buf.length) {
            written += (await file.write(buf, written)).bytesWritten;
          }
        }
        await file.sync();
      } finally {
        await file.close();
      }
      const path = this.#path(key);
      await mkdir(dirname(path), { recursive: true });
      await rename(tmp, path);
      await syncDirectory(dirname(path));
    } catch (error) {
      await unlink(tmp).catch(() => {});
      throw error;
    }
    return { key, size, sha256: hash.digest("hex") };
  }

  async get(key: string): Promise<Readable> {
    try {
      const file = await open(this.#path(key), "r");
      return file.createReadStream();
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") throw new FileMissingError(key);
      throw error;
    }
  }

  async delete(key: string): Promise<void> {
    try {
      await unlink(this.#path(key));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    }
  }
}

// The rename is durable only once the directory entry is on disk too.
async function syncDirectory(path: string) {
  const dir = await open(path, "r");
  try {
    await dir.sync();
  } catch {
    // Some file systems refuse fsync on a directory; the file itself is already synced.
  } finally {
    await dir.close();
  }
}
