import { createHash } from "node:crypto";

const BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/** Deterministic pseudo-random source derived from a key. */
export class Seed {
  readonly #bytes: Buffer;
  #position = 0;

  constructor(key: string) {
    this.#bytes = createHash("sha512").update(key).digest();
  }

  /** A 32-bit unsigned integer; wraps around the digest. */
  int(): number {
    let value = 0;
    for (let i = 0; i < 4; i += 1) {
      value = value * 256 + (this.#bytes[(this.#position + i) % this.#bytes.length] ?? 0);
    }
    this.#position = (this.#position + 3) % this.#bytes.length;
    return value;
  }

  /** Integer in [min, max]. */
  range(min: number, max: number): number {
    return min + (this.int() % (max - min + 1));
  }

  pick<T>(values: readonly T[]): T {
    const value = values[this.int() % values.length];
    if (value === undefined) throw new RangeError("pick from an empty list");
    return value;
  }

  chance(numerator: number, denominator: number): boolean {
    return this.int() % denominator < numerator;
  }
}

/** 22-character base62 Spotify-like id. */
export function spotifyId(key: string): string {
  const digest = createHash("sha256").update(key).digest();
  let id = "";
  for (let i = 0; i < 22; i += 1) id += BASE62[(digest[i] ?? 0) % 62];
  return id;
}

export function hex(key: string, length: number): string {
  return createHash("sha256").update(key).digest("hex").slice(0, length);
}

/** Unsigned 32-bit hash of a string. */
export function hash32(key: string): number {
  return createHash("sha256").update(key).digest().readUInt32BE(0);
}
