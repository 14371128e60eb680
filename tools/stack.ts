/** `npm run stack -- up|down|status|reset`: the local Kafka broker and PostgreSQL database. */
import { ConfigError, loadConfig } from '@caravan/config';
import { describeStatus, MissingPrerequisite, resetBrokerData, stackDown, stackStatus, stackUp } from '@caravan/stack';

const USAGE = 'usage: npm run stack -- up|down|status|reset';
const log = (line: string): void => void process.stdout.write(`${line}\n`);

async function main(command: string | undefined): Promise<number> {
  const config = loadConfig('tool');
  switch (command) {
    case 'up':
      await stackUp(config, log);
      describeStatus(await stackStatus(config)).forEach(log);
      return 0;
    case 'down':
      await stackDown(config, log);
      return 0;
    case 'status': {
      const status = await stackStatus(config);
      describeStatus(status).forEach(log);
      return status.kafka.state !== 'stopped' && status.postgres.state === 'running' ? 0 : 3;
    }
    case 'reset':
      resetBrokerData(config.stack.stateDir);
      log('Kafka data deleted; the next `up` formats a fresh broker');
      return 0;
    default:
      process.stderr.write(`${USAGE}\n`);
      return 2;
  }
}

main(process.argv[2]).then(
  (code) => process.exit(code),
  (error: unknown) => {
    const oneLine = error instanceof MissingPrerequisite || error instanceof ConfigError;
    process.stderr.write(`caravan stack: ${oneLine ? (error as Error).message : (error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  },
);
