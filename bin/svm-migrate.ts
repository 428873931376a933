// The svm-migrate command line: the demo behind `npm start`, the cluster simulator and the
// resolved state machine definition.
import { Command } from 'commander';

const program = new Command('svm-migrate').description('Migrate an ONTAP SVM between clusters without disrupting its clients');

program
  .command('asl')
  .description('print the synthesized state machine definition, resolved to plain JSON')
  .action(async () => {
    const { synthesizeDefinition } = await import('../local/definition');
    const { definition } = synthesizeDefinition();
    process.stdout.write(`${JSON.stringify(definition, null, 2)}\n`);
  });

program.parseAsync(process.argv).catch((err: Error) => {
  process.stderr.write(`svm-migrate: ${err.message}\n`);
  process.exit(1);
});
