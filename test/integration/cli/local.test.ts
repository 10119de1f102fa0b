import { runCli } from '../../support/run-cli';

describe('rotor local (npm start)', () => {
  it('runs the pipeline on the stand-ins, exits 0 and reports every step', async () => {
    const { code, stdout, stderr } = await runCli(['local', '--json'], {}, 115_000);
    expect({ code, stderr: code === 0 ? '' : stderr }).toEqual({ code: 0, stderr: '' });
    const result = JSON.parse(stdout);
    expect(result.ok).toBe(true);
    const names = result.steps.map((s: { name: string }) => s.name);
    expect(names).toEqual(
      expect.arrayContaining([
        'synthesized the stack (esbuild bundles, cdk-nag checks)',
        'created the tables the template declares',
        'ingested CloudTrail records through the bundled audit-ingest function',
        'verified every chain',
        'tampered with one record and verified again',
        'rotated it: RotateSecret ran the bundled rotate-database function',
        'checked the database: the new password logs in, the old one is refused',
        'rotated it again through the rotation workflow (the synthesized state machine)',
        'scanned it: the ECR push event ran the scan workflow (resolve, layers in a Map, merge)',
        'verified the audit chain of IMAGE#shop/web',
      ]),
    );
    expect(result.steps.every((s: { ok: boolean }) => s.ok)).toBe(true);
  });
});
