// Start-up refusals the operator can act on: printed as one line by src/app/main.ts, exit 1.

/** Start-up refused for a reason the operator can act on. */
export class StartupRefusedError extends Error {}

/** The port is taken by another process: nothing has been created, one line says so. */
export class PortInUseError extends Error {
  constructor(
    readonly port: number,
    readonly host: string,
  ) {
    super(`Port ${port} on ${host} is already in use by another process: stop it, or start with PORT=<a free port>.`);
  }
}
