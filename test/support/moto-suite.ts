/**
 * One moto server per test file, started before its tests and stopped after them, forgotten between tests, with
 * the standard AWS environment pointed at it (as the CLI and the Lambda read it).
 */
import { useMotoEnvironment } from './engine-harness';
import { startMoto, type MotoServer } from './moto';

export function motoSuite(): () => MotoServer {
  let server: MotoServer | undefined;
  beforeAll(async () => {
    server = await startMoto();
    useMotoEnvironment(server);
  });
  afterAll(async () => server?.stop());
  beforeEach(async () => server!.reset());
  return () => server!;
}
