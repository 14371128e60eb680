import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

// The CLI and the simulator may use this library in any process: it stays free of I/O clients and of the environment.
describe('the importer library', () => {
  const sources = readdirSync(__dirname).filter((file) => file.endsWith('.ts') && !file.endsWith('.spec.ts'));

  it.each(sources)('%s imports no pg, kafkajs or @nestjs, and reads no process.env', (file) => {
    const text = readFileSync(join(__dirname, file), 'utf8');
    expect(text).not.toMatch(/from '(pg|kafkajs|@nestjs\/[^']*)'/);
    expect(text).not.toContain('process.env');
  });
});
