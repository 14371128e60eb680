import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '@caravan/config';

/** The image's stage of the Dockerfile (its last `FROM`), as the deploy specs check it. */
export type RuntimeStage = {
  /** Its instructions, continuation lines joined. */
  text: string;
  /** Its `ENV` variables. */
  env: Record<string, string>;
  /** The exec forms of its `HEALTHCHECK … CMD` and `ENTRYPOINT` (undefined when absent). */
  healthcheck: string[] | undefined;
  entrypoint: string[] | undefined;
  /** Its `RUN sh /tmp/install.sh …` command, up to the first `&&`. */
  installLine: string;
};

/** The Dockerfile's text, continuation lines joined. */
function dockerfileText(root: string): string {
  return readFileSync(join(root, 'Dockerfile'), 'utf8').replace(/\\\n\s*/g, ' ');
}

const execForm = (stage: string, instruction: RegExp): string[] | undefined => {
  const json = instruction.exec(stage)?.[1];
  return json === undefined ? undefined : (JSON.parse(json) as string[]);
};

/** The Dockerfile's last stage: the image that runs. */
export function dockerfileRuntime(root: string = projectRoot()): RuntimeStage {
  const all = dockerfileText(root);
  const text = all.slice(all.lastIndexOf('\nFROM '));
  const env = Object.fromEntries(
    [...text.matchAll(/^ENV (.+)$/gm)].flatMap((m) =>
      [...(m[1] as string).matchAll(/(\w+)=(\S+)/g)].map((kv) => [kv[1] as string, kv[2] as string]),
    ),
  );
  return {
    text,
    env,
    healthcheck: execForm(text, /^HEALTHCHECK .*?CMD (\[.*\])$/m),
    entrypoint: execForm(text, /^ENTRYPOINT (\[.*\])$/m),
    installLine: (/^RUN (sh \/tmp\/install\.sh .*?)( &&|$)/m.exec(text)?.[1] ?? '').trim(),
  };
}

/** The default of a build argument (`ARG NAME=value`) of the Dockerfile. */
export function dockerfileArg(name: string, root: string = projectRoot()): string | undefined {
  return new RegExp(`^ARG ${name}=(\\S+)$`, 'm').exec(dockerfileText(root))?.[1];
}
