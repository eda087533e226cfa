import * as fs from 'node:fs';
import * as path from 'node:path';
import { Topics } from '@switchboard/contracts';
import { renderBase } from './render-manifests';

describe('deploy/k8s base', () => {
  const rendered = renderBase();

  it.each(Object.keys(rendered))('%s is committed and current (else run: npm run k8s:render)', (file) => {
    expect(fs.readFileSync(path.join(__dirname, '..', 'base', file), 'utf8')).toBe(rendered[file]);
  });

  it('declares a KafkaTopic for every registry topic and its dead-letter topic', () => {
    for (const t of Object.values(Topics)) {
      expect(rendered['kafka-topics.yaml']).toContain(`topicName: ${t.name}\n`);
      expect(rendered['kafka-topics.yaml']).toContain(`topicName: ${t.dlq}\n`);
    }
  });

  it('probes every service over gRPC health and runs it as non-root with a read-only root filesystem', () => {
    for (const file of Object.keys(rendered).filter((f) => !['kustomization.yaml', 'kafka-topics.yaml'].includes(f))) {
      expect(rendered[file]).toMatch(/readinessProbe:\n\s+grpc:/);
      expect(rendered[file]).toContain('runAsNonRoot: true');
      expect(rendered[file]).toContain('readOnlyRootFilesystem: true');
    }
  });
});
