// One command from the data folder to the shipped model:
//   npm run train                 full run (≈ 5 min on a GPU, ≈ 2–3 h on 2 CPU cores), then package + model card
//   npm run train -- --smoke      a few dozen images, one epoch, into .cache/smoke (CI keeps the code alive)
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';

const { values: args } = parseArgs({
  options: {
    smoke: { type: 'boolean', default: false },
    epochs: { type: 'string', default: '160' },
    version: { type: 'string', default: '1.2.0' },
    data: { type: 'string', default: '../shared/data' },
    python: { type: 'string', default: '/usr/bin/python3' },
  },
});
const root = args.smoke ? '.cache/smoke' : '.cache';
const step = (cmd: string, argv: string[]) => {
  console.log(`\n$ ${cmd} ${argv.join(' ')}`);
  const r = spawnSync(cmd, argv, { stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
};
const smoke = args.smoke ? ['--smoke'] : [];

if (!existsSync(`${root}/nonmri`)) step(args.python!, ['models/train/make_nonmri.py', '--out', `${root}/nonmri`, ...(args.smoke ? ['--per-base', '2', '--synthetic', '10'] : [])]);
step('npx', ['tsx', 'models/scripts/dataset.ts', '--data', args.data!, '--nonmri', `${root}/nonmri`, '--out', `${root}/dataset`, ...smoke]);
step(args.python!, ['models/train/train.py', '--data', `${root}/dataset`, '--out', `${root}/run`, '--epochs', args.epochs!, ...smoke]);
if (args.smoke) {
  console.log(`\nsmoke run done: ${root}/run/model.onnx (not shipped)`);
} else {
  step('npx', ['tsx', 'models/scripts/package-model.ts', '--run', `${root}/run`, '--version', args.version!, '--data', args.data!, '--nonmri', `${root}/nonmri`]);
}
