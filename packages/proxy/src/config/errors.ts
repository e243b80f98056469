/** The one error a snapshot's compilation throws, shared by the section compilers. */

/** A snapshot that parsed but cannot be enforced unambiguously (a duplicate id, name or hash). */
export class SnapshotCompileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SnapshotCompileError";
  }
}
