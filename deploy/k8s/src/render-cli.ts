// npm run k8s:render — writes deploy/k8s/base from the service list and the topic registry.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { renderBase } from './render-manifests';

const dir = path.join(__dirname, '..', 'base');
for (const [file, text] of Object.entries(renderBase())) fs.writeFileSync(path.join(dir, file), text);
console.log(`wrote ${Object.keys(renderBase()).length} files to ${path.relative(process.cwd(), dir)}`);
